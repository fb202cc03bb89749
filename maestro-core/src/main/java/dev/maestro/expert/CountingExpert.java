package dev.maestro.expert;

import java.util.Optional;

/**
 * Records every request that reaches the backend, and how it ended, in a {@link CallLog} keyed by
 * {@code model@@skill}. Wired innermost in the {@code openai} chain, so it counts what the endpoint saw: each retry
 * is a request, a cache hit or a call refused by an open circuit is none. Comparing these counts with the calls
 * episodes observed shows how much retries hid (a 30%-flaky endpoint: about 30% of requests failed, 1% of calls).
 */
public final class CountingExpert implements Expert {
    private final Expert delegate;
    private final CallLog log;
    private final Optional<Deployments> deployments;

    private CountingExpert(Expert delegate, CallLog log, Optional<Deployments> deployments) {
        this.delegate = delegate;
        this.log = log;
        this.deployments = deployments;
    }

    public static CountingExpert create(Expert delegate, CallLog log) {
        return new CountingExpert(delegate, log, Optional.empty());
    }

    /** Also reports every request's outcome to {@code deployments} (recent error rate per model). */
    public static CountingExpert create(Expert delegate, CallLog log, Deployments deployments) {
        return new CountingExpert(delegate, log, Optional.of(deployments));
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        ExpertReply reply;
        try {
            reply = delegate.call(request);
        } catch (RuntimeException e) {
            Optional<ExpertError> error = Optional.of(ExpertError.of(ExpertError.Kind.IO, e.getClass().getSimpleName()));
            log.record(request.model().id(), request.skill().name(), error);
            deployments.ifPresent(d -> d.record(request.model().id(), error));
            throw e;
        }
        log.record(request.model().id(), request.skill().name(), reply.error());
        deployments.ifPresent(d -> d.record(request.model().id(), reply.error()));
        return reply;
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Counting(" + delegate + ")";
    }
}
