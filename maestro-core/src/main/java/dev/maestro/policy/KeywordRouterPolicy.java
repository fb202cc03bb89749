package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Routes by keywords in the question: the first label whose keyword occurs picks that label's pair
 * (fitted on the training split); questions matching no label go to the fallback pair.
 */
public final class KeywordRouterPolicy implements Policy {
    private final Map<String, List<String>> keywords;
    private final Map<String, Pair> routes;
    private final Pair fallback;

    public KeywordRouterPolicy(Map<String, List<String>> keywords, Map<String, Pair> routes, Pair fallback) {
        this.keywords = new LinkedHashMap<>(keywords);
        this.routes = Map.copyOf(routes);
        this.fallback = fallback;
    }

    /** The label a question matches, if any (case-insensitive substring match, first label wins). */
    public static Optional<String> label(Map<String, List<String>> keywords, Task task) {
        String q = task.question().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> e : keywords.entrySet()) {
            for (String k : e.getValue()) {
                if (q.contains(k.toLowerCase(Locale.ROOT))) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    public Map<String, Pair> routes() {
        return routes;
    }

    @Override
    public String name() {
        return "keyword-router";
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        Pair p = label(keywords, view.task()).map(routes::get).orElse(fallback);
        return FixedPairPolicy.callThenAdopt(view, p == null ? fallback : p);
    }
}
