package dev.maestro.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.registry.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution by name: embedders, policy specs, suites and registries. */
class NamesTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void should_resolve_the_name_every_embedder_reports_back_to_the_same_embedder(@TempDir Path dir) {
        Embedders embedders = Embedders.caching(dir);
        for (String name : Embedders.names()) {
            try (CachingEmbedder e = embedders.open(name)) {
                // what a checkpoint stores is e.name(); it must open the same embedder
                try (CachingEmbedder again = embedders.open(e.name())) {
                    assertThat(again.name()).isEqualTo(e.name());
                    assertThat(again.dimension()).isEqualTo(e.dimension());
                    assertThat(again.embed("What is 17 * 23?")).containsExactly(e.embed("What is 17 * 23?"));
                }
            }
        }
        TextEmbedder h = embedders.base(Embedders.HASHING);
        assertThat(h.name()).isEqualTo("hashing-d384-n2");
        assertThat(embedders.base("hashing-d384-n2").embed("a b")).containsExactly(h.embed("a b"));
        assertThatThrownBy(() -> embedders.base("word2vec")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("unknown embedder 'word2vec'").hasMessageContaining(Embedders.HASHING);
        assertThatThrownBy(() -> embedders.base("hashing-d999999-n2")).isInstanceOf(MaestroException.class);
    }

    @Test
    void should_parse_policy_specs_and_name_what_is_valid(@TempDir Path dir) throws Exception {
        Path ckpt = Files.writeString(dir.resolve("policy.ckpt"), "x");

        assertThat(PolicySpec.parse("fixed:calc@@direct")).isEqualTo(new PolicySpec.Fixed("fixed:calc@@direct", new Pair("calc", "direct")));
        assertThat(PolicySpec.parse("llm:Maestro-4B@http://127.0.0.1:8000/v1"))
                .isEqualTo(new PolicySpec.Llm("llm:Maestro-4B@http://127.0.0.1:8000/v1", "Maestro-4B", "http://127.0.0.1:8000/v1"));
        assertThat(PolicySpec.parse("best-single")).isInstanceOf(PolicySpec.Baseline.class);
        assertThat(PolicySpec.parse("baselines")).isInstanceOfSatisfying(PolicySpec.Baseline.class, b -> assertThat(b.all()).isTrue());
        assertThat(PolicySpec.parse(ckpt.toString())).isEqualTo(new PolicySpec.Checkpoint(ckpt.toString(), ckpt));
        assertThatThrownBy(() -> PolicySpec.parse("fixed:calc")).isInstanceOf(MaestroException.class).hasMessageContaining("fixed:MODEL@@SKILL");
        assertThatThrownBy(() -> PolicySpec.parse("llm:nohost")).isInstanceOf(MaestroException.class).hasMessageContaining("llm:MODEL@BASE_URL");
        assertThatThrownBy(() -> PolicySpec.parse("runs/none/policy.ckpt")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("unknown policy").hasMessageContaining("fixed:MODEL@@SKILL").hasMessageContaining("best-single");
    }

    @Test
    void should_resolve_shipped_names_folders_and_registry_names_under_the_home() {
        MaestroHome home = MaestroHome.at(REPO);

        assertThat(home.suite("mathv")).isEqualTo(REPO.resolve("data/mathv"));
        assertThat(home.registry("blind-replay")).isEqualTo(REPO.resolve("data/blind/registry"));
        assertThat(home.registry("paper-sim")).as("data/NAME/registry").isEqualTo(REPO.resolve("data/paper-sim/registry"));
        assertThat(home.registry(REPO.resolve("registries/maestro-paper").toString())).isEqualTo(REPO.resolve("registries/maestro-paper"));
        assertThatThrownBy(() -> home.suite("no-such-suite")).isInstanceOf(MaestroException.class)
                .hasMessageStartingWith("no suite 'no-such-suite'").hasMessageContaining("mathv");
        assertThatThrownBy(() -> home.registry("no-such-registry")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("no-such-registry").hasMessageContaining("mathv-replay");
        assertThat(MaestroHome.fromEnv(Map.of(MaestroHome.VARIABLE, REPO.toString())).dir()).isEqualTo(REPO);
        assertThat(MaestroHome.fromEnv(Map.of()).cacheDir()).isEqualTo(Path.of(".cache").toAbsolutePath().normalize());
    }
}
