package dev.maestro.episode;

import dev.maestro.expert.ExpertReply;
import dev.maestro.registry.ModelCard;
import dev.maestro.task.Task;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spans of an episode, its turns and its expert calls, for a tracing system. The core only calls this interface;
 * the OpenTelemetry implementation (GenAI semantic conventions, OTLP export) lives in the optional
 * {@code maestro-otel} module, so a library user who does not trace carries no OpenTelemetry SDK. {@link #NONE}
 * does nothing and allocates nothing: tracing off costs a few interface calls per episode.
 *
 * <p>Parents are passed explicitly (a turn's calls run on the call pool's threads, where no thread-local context
 * would follow them). Implementations must be thread-safe.
 */
public interface Telemetry {
    /** The variable that turns tracing on (as in every OpenTelemetry SDK). */
    String ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /** The traces-only form of {@link #ENDPOINT_VARIABLE}. */
    String TRACES_ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /** Starts the span of one episode. */
    EpisodeSpan episode(Task task, String policy);

    /** Exports what is buffered (called when a runtime closes); the exporter itself lives on. */
    default void flush() {
    }

    /** An episode's span. */
    interface EpisodeSpan {
        /** Starts the span of turn {@code index} (0-based) inside this episode. */
        TurnSpan turn(int index);

        void end(EpisodeResult result);
    }

    /** A turn's span. */
    interface TurnSpan {
        /** Starts the span of one expert call (a (model, skill) pair) made in this turn. */
        CallSpan call(ModelCard model, String skill);

        /** Ends the turn with the step it produced (empty when the turn produced none). */
        void end(Optional<Step> step);
    }

    /** An expert call's span. */
    interface CallSpan {
        void end(ExpertReply reply);
    }

    /** Does nothing. */
    Telemetry NONE = new Telemetry() {
        private final CallSpan call = reply -> { };
        private final TurnSpan turn = new TurnSpan() {
            @Override
            public CallSpan call(ModelCard model, String skill) {
                return call;
            }

            @Override
            public void end(Optional<Step> step) {
            }
        };
        private final EpisodeSpan episode = new EpisodeSpan() {
            @Override
            public TurnSpan turn(int index) {
                return turn;
            }

            @Override
            public void end(EpisodeResult result) {
            }
        };

        @Override
        public EpisodeSpan episode(Task task, String policy) {
            return episode;
        }

        @Override
        public String toString() {
            return "Telemetry.NONE";
        }
    };

    /**
     * Builds a {@link Telemetry} from environment variables; found with {@link ServiceLoader} (maestro-otel registers
     * one).
     */
    interface Provider {
        /** The telemetry these variables ask for, or empty when they ask for none. */
        Optional<Telemetry> fromEnvironment(Map<String, String> env);
    }

    /**
     * What the environment asks for: {@link #NONE} unless {@value #ENDPOINT_VARIABLE} (or the traces-only variable)
     * is set; then the first {@link Provider} on the class path builds it. Set without a provider, a warning says
     * that no spans will be exported and why.
     */
    static Telemetry fromEnvironment(Map<String, String> env) {
        if (isBlank(env.get(ENDPOINT_VARIABLE)) && isBlank(env.get(TRACES_ENDPOINT_VARIABLE))) {
            return NONE;
        }
        boolean found = false;
        for (Provider p : ServiceLoader.load(Provider.class, Telemetry.class.getClassLoader())) {
            found = true;
            Optional<Telemetry> t = p.fromEnvironment(env);
            if (t.isPresent()) {
                return t.get();
            }
        }
        if (found) {
            return NONE; // a provider read the variables and asked for nothing (e.g. OTEL_SDK_DISABLED=true)
        }
        Logger log = LoggerFactory.getLogger(Telemetry.class);
        log.warn("{} is set, but no tracing provider is on the class path (add dev.maestro:maestro-otel); no spans "
                + "are exported", ENDPOINT_VARIABLE);
        return NONE;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
