package dev.maestro.episode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** With the precheck on, a call whose estimated cost exceeds the budget left is refused before it is made. */
class CostPrecheckTest {
    // $50 per 1M tokens either way: 1,024 output tokens alone are estimated at $0.0512
    static final ModelCard PRICEY = ModelCard.builder("pricey", Backend.SIMULATED).description("expensive")
            .price(new Price(50, 50)).build();
    static final ModelCard CHEAP = ModelCard.builder("cheap", Backend.SIMULATED).description("cheap")
            .price(new Price(0.1, 0.1)).build();
    static final Registry REG = Registry.of("t", List.of(PRICEY, CHEAP), List.of(SkillCard.simple("direct", "d", "{input}")));
    static final Task TASK = Task.text("1", "What is 2+2?", "4", "arith");

    final AtomicInteger made = new AtomicInteger();

    Expert expert() {
        return req -> {
            made.incrementAndGet();
            return new ExpertReply(Optional.of("4"), Optional.of("4"), Optional.empty(), new Usage(10, 5), 0.001, 1,
                    Optional.empty(), false);
        };
    }

    /** Calls the given pairs in one turn, then answers. */
    static Policy calling(String... models) {
        return new Policy() {
            @Override
            public String name() {
                return "calls";
            }

            @Override
            public Action decide(EpisodeView view, RandomGenerator rng) {
                if (view.turn() == 0) {
                    return new Action.Search(Arrays.stream(models).map(m -> new Call(m, "direct", "What is 2+2?")).toList());
                }
                return new Action.Answer("4", Optional.empty());
            }
        };
    }

    Environment env(boolean precheck, double maxCost) {
        return Environment.builder(REG, Map.of("pricey", expert(), "cheap", expert()), (t, a) -> 0)
                .config(EpisodeConfig.DEFAULT.withMaxCost(maxCost)).costPrecheck(precheck).build();
    }

    @Test
    void should_refuse_a_call_estimated_over_the_budget_before_making_it() {
        EpisodeResult r = env(true, 0.05).run(TASK, calling("pricey"), 1);

        assertThat(made.get()).isZero();
        Observation o = r.steps().get(0).observations().get(0);
        assertThat(o.error()).hasValueSatisfying(e -> {
            assertThat(e.kind()).isEqualTo(ExpertError.Kind.INVALID_REQUEST);
            assertThat(e.message()).contains("estimated at $0.05").contains("1,024 output tokens")
                    .contains("$0.0500 left").contains("max_cost");
        });
    }

    @Test
    void should_make_the_call_when_the_estimate_fits_or_the_precheck_is_off() {
        env(true, 0.06).run(TASK, calling("pricey"), 1);
        env(false, 0.05).run(TASK, calling("pricey"), 1);

        assertThat(made.get()).isEqualTo(2);
    }

    @Test
    void should_count_the_estimates_of_calls_already_accepted_in_the_same_turn() {
        // $0.06 fits one pricey call ($0.0512 estimated) and a cheap one, not two pricey ones
        EpisodeResult r = env(true, 0.06).run(TASK, calling("pricey", "cheap", "pricey"), 1);

        assertThat(made.get()).isEqualTo(2);
        List<Observation> obs = r.steps().get(0).observations();
        assertThat(obs.stream().filter(o -> o.error().isPresent()).map(o -> o.call().model())).containsExactly("pricey");
    }

    @Test
    void should_estimate_from_characters_images_and_the_token_limit() {
        CostEstimate e = CostEstimate.of(TASK, PRICEY, REG.skill("direct").orElseThrow(), "x".repeat(400));

        assertThat(e.outputTokens()).isEqualTo(1024);
        assertThat(e.inputTokens()).isEqualTo((7 + 12 + 400 + 3) / 4);
        assertThat(e.costUsd()).isEqualTo(PRICEY.price().cost(e.inputTokens(), 1024));
    }
}
