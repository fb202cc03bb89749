package dev.maestro.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreLocationTest {
    private static final Map<String, String> ENV = Map.of("PG_PASS", "hunter2", "PGPASSWORD", "fallback-pw");

    @Test
    void should_read_a_plain_path_or_sqlite_prefix_as_a_sqlite_file() {
        assertThat(StoreLocation.parse("runs/serve.db", Map.of()).file()).contains(Path.of("runs/serve.db"));
        assertThat(StoreLocation.parse("sqlite:/tmp/x.db", Map.of()).file()).contains(Path.of("/tmp/x.db"));
        assertThat(StoreLocation.parse("runs/serve.db", Map.of()).isPostgres()).isFalse();
    }

    @Test
    void should_take_the_password_from_the_named_variable_and_never_show_it() {
        StoreLocation a = StoreLocation.parse("postgresql://maestro@db.internal:6543/traces?password-env=PG_PASS&sslmode=require", ENV);
        StoreLocation b = StoreLocation.parse("postgres://maestro:${PG_PASS}@db.internal/traces", ENV);

        assertThat(a.isPostgres()).isTrue();
        assertThat(a.password()).contains("hunter2");
        assertThat(b.password()).contains("hunter2");
        assertThat(a.jdbcUrl()).startsWith("jdbc:postgresql://db.internal:6543/traces?").contains("sslmode=require")
                .doesNotContain("hunter2");
        assertThat(b.jdbcUrl()).startsWith("jdbc:postgresql://db.internal:5432/traces");
        assertThat(a.toString()).isEqualTo("postgresql://maestro@db.internal:6543/traces").doesNotContain("hunter2");
        assertThat(a.describe()).doesNotContain("hunter2");
    }

    @Test
    void should_fall_back_to_the_pg_environment_variables() {
        StoreLocation l = StoreLocation.parse("postgresql://", Map.of("PGHOST", "pg1", "PGPORT", "5433", "PGUSER", "svc",
                "PGDATABASE", "maestro", "PGPASSWORD", "fallback-pw"));

        assertThat(l.jdbcUrl()).startsWith("jdbc:postgresql://pg1:5433/maestro");
        assertThat(l.user()).contains("svc");
        assertThat(l.password()).contains("fallback-pw");
    }

    @Test
    void should_refuse_a_password_written_in_the_url_without_echoing_it() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://maestro:topsecret@h/db", ENV))
                .isInstanceOf(MaestroException.class).hasMessageContaining("environment variable").hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://maestro@h/db?password=topsecret", ENV))
                .isInstanceOf(MaestroException.class).hasMessageContaining("password-env").hasMessageNotContaining("topsecret");
    }

    @Test
    void should_name_what_is_wrong_with_a_bad_url() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u@h/db?password-env=NOPE", ENV))
                .hasMessageContaining("NOPE is not set");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u@h/db?pool=3", ENV))
                .hasMessageContaining("unknown parameter 'pool'").hasMessageContaining("pool-size");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u@h/db?pool-size=0", ENV)).hasMessageContaining("1..64");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u@h:abc/db", ENV)).hasMessageContaining("port 'abc'");
        assertThatThrownBy(() -> StoreLocation.parse("mysql://u:pw@h/db", ENV)).hasMessageContaining("unknown scheme")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> StoreLocation.parse(" ", ENV)).hasMessageContaining("empty store");
    }
}
