package dev.maestro.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes tasks as Maestro/verl parquet (DESIGN §4.2), the shape {@link ParquetTaskReader} reads:
 * {@code data_source}, {@code prompt} = [system (when non-empty), user], {@code images} = [{bytes, path}],
 * {@code reward_model} = {style: "rule", ground_truth}, {@code extra_info} = {answer, index, question, split,
 * options, answer_type, group}. The last three keys are ours (additive: verl passes extra_info through as a dict)
 * so that multiple-choice tasks survive a round trip.
 *
 * <p>The user message is one {@code <image>} token per image, then the question, then the options as
 * "(A) text" lines. Image bytes are embedded; {@code path} keeps the file name for reference.
 */
public final class ParquetTaskWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParquetTaskWriter() {
    }

    /** Writes with {@code extra_info.split} taken from each task's {@code split} metadata (null if absent). */
    public static void write(List<Task> tasks, String systemPrompt, Path out) {
        write(tasks, systemPrompt, out, t -> Optional.ofNullable(t.metadata().get("split")));
    }

    /** Writes with {@code extra_info.split} = train / validation / test from a {@link Split}. */
    public static void write(List<Task> tasks, String systemPrompt, Path out, Split split) {
        write(tasks, systemPrompt, out, t -> Optional.of(split.assign(t).name().toLowerCase(Locale.ROOT)));
    }

    private static void write(List<Task> tasks, String systemPrompt, Path out, Function<Task, Optional<String>> splitOf) {
        Path target = out.toAbsolutePath().normalize();
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
        } catch (IOException e) {
            throw new MaestroException("cannot create folder for " + target + ": " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE t (ord INTEGER, data_source VARCHAR, sys VARCHAR, usr VARCHAR, gt VARCHAR, "
                    + "answer VARCHAR, idx VARCHAR, question VARCHAR, split VARCHAR, options VARCHAR, answer_type VARCHAR, "
                    + "grp VARCHAR)");
            s.execute("CREATE TEMP TABLE im (ord INTEGER, i INTEGER, bytes BLOB, path VARCHAR)");
            try (PreparedStatement pt = c.prepareStatement("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
                 PreparedStatement pi = c.prepareStatement("INSERT INTO im VALUES (?,?,?,?)")) {
                int ord = 0;
                for (Task task : tasks) {
                    String gold = task.answers().isEmpty() ? null : task.answers().get(0);
                    pt.setInt(1, ord);
                    pt.setString(2, task.source());
                    setNullable(pt, 3, systemPrompt.isBlank() ? null : systemPrompt);
                    pt.setString(4, userMessage(task));
                    setNullable(pt, 5, gold);
                    setNullable(pt, 6, gold);
                    pt.setString(7, task.id());
                    pt.setString(8, task.question());
                    setNullable(pt, 9, splitOf.apply(task).orElse(null));
                    pt.setString(10, JSON.writeValueAsString(task.options()));
                    pt.setString(11, task.answerType().name().toLowerCase(Locale.ROOT));
                    pt.setString(12, task.group());
                    pt.addBatch();
                    int i = 0;
                    for (Path image : task.images()) {
                        pi.setInt(1, ord);
                        pi.setInt(2, ++i);
                        pi.setBytes(3, Files.readAllBytes(image));
                        pi.setString(4, image.getFileName().toString());
                        pi.addBatch();
                    }
                    ord++;
                }
                pt.executeBatch();
                pi.executeBatch();
            }
            s.execute("COPY (SELECT data_source, "
                    + "CASE WHEN sys IS NULL THEN [{'role': 'user', 'content': usr}] "
                    + "ELSE [{'role': 'system', 'content': sys}, {'role': 'user', 'content': usr}] END AS prompt, "
                    + "COALESCE((SELECT list({'bytes': im.bytes, 'path': im.path} ORDER BY im.i) FROM im WHERE im.ord = t.ord), "
                    + "[]::STRUCT(bytes BLOB, path VARCHAR)[]) AS images, "
                    + "{'style': 'rule', 'ground_truth': gt} AS reward_model, "
                    + "{'answer': answer, 'index': idx, 'question': question, 'split': split, "
                    + "'options': from_json(options, '[\"VARCHAR\"]'), 'answer_type': answer_type, 'group': grp} AS extra_info "
                    + "FROM t ORDER BY ord) TO " + ParquetTaskReader.literal(target.toString()) + " (FORMAT parquet)");
        } catch (SQLException e) {
            throw new MaestroException("cannot write parquet " + target + ": " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serialises", e);
        } catch (IOException e) {
            throw new MaestroException("cannot read an image while writing " + target + ": " + e.getMessage(), e);
        }
    }

    /** The user turn: image tokens, the question, then "(A) option" lines. */
    static String userMessage(Task task) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < task.images().size(); i++) {
            sb.append("<image>");
        }
        sb.append(task.question());
        for (int i = 0; i < task.options().size(); i++) {
            sb.append(i == 0 ? "\nOptions:" : "").append("\n(").append((char) ('A' + i)).append(") ").append(task.options().get(i));
        }
        return sb.toString();
    }

    private static void setNullable(PreparedStatement p, int index, String value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.VARCHAR);
        } else {
            p.setString(index, value);
        }
    }
}
