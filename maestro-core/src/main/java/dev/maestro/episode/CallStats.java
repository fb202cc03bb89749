package dev.maestro.episode;

import dev.maestro.expert.CallLog;
import java.util.Collection;

/**
 * Call counts of episodes: every observation is one call of its pair, ended by its error or not. Feeds a
 * {@link CallLog} from finished episodes (a whole list, or live as a {@link TraceSink}).
 */
public final class CallStats {
    private CallStats() {
    }

    /** A new log with the calls of these episodes. */
    public static CallLog of(Collection<EpisodeResult> results) {
        CallLog log = CallLog.create();
        results.forEach(r -> record(log, r));
        return log;
    }

    /** Adds the calls of one episode. */
    public static void record(CallLog log, EpisodeResult result) {
        for (Step s : result.steps()) {
            for (Observation o : s.observations()) {
                log.record(o.call().pair().id(), o.error());
            }
        }
    }

    /** A trace sink that counts the calls of every episode it receives into {@code log}. */
    public static TraceSink sink(CallLog log) {
        return r -> record(log, r);
    }
}
