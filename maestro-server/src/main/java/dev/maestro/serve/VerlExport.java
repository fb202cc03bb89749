package dev.maestro.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.policy.LlmConversation;
import dev.maestro.policy.LlmPolicy;
import dev.maestro.policy.SystemPrompts;
import dev.maestro.protocol.ProtocolFormatter;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes training data for the LLM orchestrator in the shape Maestro's verl recipe reads.
 *
 * <p><b>Tasks → Parquet</b>, one row per task, through DuckDB (no Parquet writer of our own):
 * <pre>
 *   data_source  VARCHAR                                   task source, e.g. math-v
 *   prompt       STRUCT(role VARCHAR, content VARCHAR)[]   [system prompt from SystemPrompts, user message]
 *   images       STRUCT(bytes BLOB, path VARCHAR)[]        image bytes and their path as given in the task
 *   ability      VARCHAR                                   task group (subject), else the source
 *   reward_model STRUCT(style VARCHAR, ground_truth VARCHAR)  style 'rule', first gold answer ('' when unknown)
 *   extra_info   STRUCT(answer VARCHAR[], index BIGINT, question VARCHAR, split VARCHAR,
 *                       task_id VARCHAR, options VARCHAR[], answer_type VARCHAR, group VARCHAR)
 * </pre>
 * The user message is {@link SystemPrompts#userMessage} with one {@code <image>} per image first, as
 * verl's multimodal datasets expect. {@code extra_info.question} is the plain question. {@code index}
 * is the task id when every id is a distinct integer (Maestro's data uses integer indices), else the row
 * number. {@code task_id}, {@code options}, {@code answer_type} and {@code group} are our additions
 * (verl passes {@code extra_info} to the tool server as a dict, which needs the id to find a task's
 * recorded outputs; {@code ParquetTaskReader} reads the others back). {@code split} is the task's
 * {@code split} metadata, else null.
 *
 * <p><b>Episodes → JSONL</b>, one line per episode, in the multi-turn message form SFT and RL tooling
 * reads: {@code {"messages":[system, user, assistant, user(<information>…), …, assistant(answer)],
 * "reward":…, "grade":…, "task_id":…, "policy":…, "seed":…, "images":[…]}}. Episodes played by an
 * {@link LlmPolicy} export its exact conversation; other policies' episodes are rebuilt from their steps
 * (the way the LLM would have seen them), which makes baseline or learned-policy rollouts usable as
 * SFT demonstrations.
 *
 * <p>Both writers write to a temporary file in the target folder and move it into place, so a reader
 * never sees half a file.
 */
public final class VerlExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerlExport() {
    }

    /** What an export wrote. */
    public record Written(Path file, int rows, int images) {
    }

    /** Exports {@code tasks} with the default episode limits in the system prompt. */
    public static Written tasksToParquet(List<Task> tasks, Registry registry, Path out) {
        return tasksToParquet(tasks, registry, EpisodeConfig.DEFAULT, out);
    }

    /** Exports {@code tasks} as Maestro/verl Parquet rows (see the class comment) to {@code out}. */
    public static Written tasksToParquet(List<Task> tasks, Registry registry, EpisodeConfig config, Path out) {
        return tasksToParquet(tasks, registry, config, out, t -> Optional.ofNullable(t.metadata().get("split")));
    }

    /**
     * Exports {@code tasks} with {@code extra_info.split} from {@code splitOf} (e.g. the project's id-hash
     * {@link dev.maestro.task.Split}) instead of the tasks' own {@code split} metadata.
     */
    public static Written tasksToParquet(List<Task> tasks, Registry registry, EpisodeConfig config, Path out,
                                         Function<Task, Optional<String>> splitOf) {
        String system = SystemPrompts.forRegistry(registry, config);
        Path target = out.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp.parquet");
            // DuckDB's COPY refuses to overwrite nothing but also refuses some existing files: start clean.
            Files.delete(tmp);
        } catch (IOException e) {
            throw new MaestroException("cannot write " + out + ": " + e.getMessage(), e);
        }
        int images = 0;
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement st = db.createStatement()) {
                st.execute("CREATE TEMP TABLE rows_(idx BIGINT, task_index BIGINT, task_id VARCHAR, data_source VARCHAR, "
                        + "ability VARCHAR, ground_truth VARCHAR, usr VARCHAR, question VARCHAR, split VARCHAR, "
                        + "answer_type VARCHAR, grp VARCHAR)");
                st.execute("CREATE TEMP TABLE options_(idx BIGINT, pos INTEGER, opt_text VARCHAR)");
                st.execute("CREATE TEMP TABLE answers_(idx BIGINT, pos INTEGER, answer VARCHAR)");
                st.execute("CREATE TEMP TABLE images_(idx BIGINT, pos INTEGER, bytes BLOB, path VARCHAR)");
            }
            boolean numericIds = numericUniqueIds(tasks);
            try (PreparedStatement row = db.prepareStatement("INSERT INTO rows_ VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement ans = db.prepareStatement("INSERT INTO answers_ VALUES (?, ?, ?)");
                 PreparedStatement opt = db.prepareStatement("INSERT INTO options_ VALUES (?, ?, ?)");
                 PreparedStatement img = db.prepareStatement("INSERT INTO images_ VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < tasks.size(); i++) {
                    Task t = tasks.get(i);
                    row.setLong(1, i);
                    row.setLong(2, numericIds ? Long.parseLong(t.id().strip()) : i);
                    row.setString(3, t.id());
                    row.setString(4, t.source());
                    row.setString(5, t.group().isBlank() ? t.source() : t.group());
                    row.setString(6, t.answers().isEmpty() ? "" : t.answers().get(0));
                    row.setString(7, SystemPrompts.userMessage(t, true));
                    row.setString(8, t.question());
                    row.setString(9, splitOf.apply(t).orElse(null));
                    row.setString(10, t.answerType().name().toLowerCase(Locale.ROOT));
                    row.setString(11, t.group());
                    row.execute();
                    for (int k = 0; k < t.options().size(); k++) {
                        opt.setLong(1, i);
                        opt.setInt(2, k);
                        opt.setString(3, t.options().get(k));
                        opt.execute();
                    }
                    for (int k = 0; k < t.answers().size(); k++) {
                        ans.setLong(1, i);
                        ans.setInt(2, k);
                        ans.setString(3, t.answers().get(k));
                        ans.execute();
                    }
                    for (int k = 0; k < t.images().size(); k++) {
                        Path p = t.images().get(k);
                        byte[] bytes;
                        try {
                            bytes = Files.readAllBytes(p);
                        } catch (IOException e) {
                            throw new MaestroException("task " + t.id() + ": cannot read image " + p + ": " + e.getMessage(), e);
                        }
                        img.setLong(1, i);
                        img.setInt(2, k);
                        img.setBytes(3, bytes);
                        img.setString(4, p.toString());
                        img.execute();
                        images++;
                    }
                }
            }
            try (PreparedStatement sys = db.prepareStatement("CREATE TEMP TABLE system_ AS SELECT CAST(? AS VARCHAR) AS content")) {
                sys.setString(1, system);
                sys.execute();
            }
            try (Statement st = db.createStatement()) {
                st.execute("COPY (SELECT r.data_source,"
                        + " [struct_pack(role := 'system', content := s.content), struct_pack(role := 'user', content := r.usr)] AS prompt,"
                        + " coalesce(i.images, CAST([] AS STRUCT(bytes BLOB, path VARCHAR)[])) AS images,"
                        + " r.ability,"
                        + " struct_pack(style := 'rule', ground_truth := r.ground_truth) AS reward_model,"
                        + " struct_pack(answer := coalesce(a.answers, CAST([] AS VARCHAR[])), \"index\" := r.task_index,"
                        + "   question := r.question, split := r.split, task_id := r.task_id,"
                        + "   options := coalesce(o.options, CAST([] AS VARCHAR[])), answer_type := r.answer_type,"
                        + "   \"group\" := r.grp) AS extra_info"
                        + " FROM rows_ r CROSS JOIN system_ s"
                        + " LEFT JOIN (SELECT idx, list(answer ORDER BY pos) AS answers FROM answers_ GROUP BY idx) a USING (idx)"
                        + " LEFT JOIN (SELECT idx, list(opt_text ORDER BY pos) AS options FROM options_ GROUP BY idx) o USING (idx)"
                        + " LEFT JOIN (SELECT idx, list(struct_pack(bytes := bytes, path := path) ORDER BY pos) AS images"
                        + "   FROM images_ GROUP BY idx) i USING (idx)"
                        + " ORDER BY r.idx) TO '" + tmp.toString().replace("'", "''") + "' (FORMAT PARQUET)");
            }
        } catch (SQLException e) {
            deleteQuietly(tmp);
            throw new MaestroException("cannot write Parquet " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new MaestroException("cannot move " + tmp + " to " + out + ": " + e.getMessage(), e);
        }
        return new Written(out, tasks.size(), images);
    }

    /**
     * Exports episodes as JSONL, one multi-turn conversation per line (see the class comment).
     * {@code tasks} maps task ids to tasks (for the question and images of rebuilt conversations).
     *
     * @throws MaestroException if an episode's task is missing from {@code tasks}
     */
    public static Written episodesToJsonl(List<EpisodeResult> results, Map<String, Task> tasks, Registry registry,
                                          EpisodeConfig config, Path out) {
        String system = SystemPrompts.forRegistry(registry, config);
        StringBuilder sb = new StringBuilder();
        int images = 0;
        for (EpisodeResult r : results) {
            Task t = tasks.get(r.taskId());
            if (t == null) {
                throw new MaestroException("episode of task '" + r.taskId() + "' (policy " + r.policy()
                        + "): the task is not among the " + tasks.size() + " tasks given");
            }
            ObjectNode line = JSON.createObjectNode();
            ArrayNode messages = line.putArray("messages");
            for (LlmConversation.Message m : messages(r, t, system)) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
            line.put("reward", r.reward());
            line.put("grade", r.grade());
            line.put("task_id", r.taskId());
            line.put("policy", r.policy());
            line.put("seed", r.seed());
            ArrayNode imgs = line.putArray("images");
            t.images().forEach(p -> imgs.add(p.toString()));
            images += t.images().size();
            sb.append(line).append('\n');
        }
        AtomicFiles.write(out, sb.toString());
        return new Written(out, results.size(), images);
    }

    /** The episode as chat messages: the LLM's own conversation, or one rebuilt from the trace. */
    static List<LlmConversation.Message> messages(EpisodeResult r, Task t, String system) {
        List<LlmConversation.Message> out = new ArrayList<>();
        var conversation = LlmConversation.of(r.notes());
        if (conversation.isPresent()) {
            // The exact conversation; only the first user message gains the <image> placeholders verl expects.
            out.addAll(conversation.get().messages());
            out.set(1, new LlmConversation.Message("user", SystemPrompts.userMessage(t, true)));
            return out;
        }
        out.add(new LlmConversation.Message("system", system));
        out.add(new LlmConversation.Message("user", SystemPrompts.userMessage(t, true)));
        for (Step s : r.steps()) {
            out.add(new LlmConversation.Message("assistant", s.action()));
            List<String> blocks = new ArrayList<>();
            for (Observation o : s.observations()) {
                blocks.add(ProtocolFormatter.information(
                        LlmPolicy.observationText(o, LlmPolicy.DEFAULT_MAX_OBSERVATION_CHARS)));
            }
            if (s.observations().isEmpty() && !s.error().isBlank()) {
                blocks.add(ProtocolFormatter.information("Invalid action, nothing was executed.\n- " + s.error()));
            }
            if (!blocks.isEmpty()) {
                out.add(new LlmConversation.Message("user", String.join("\n", blocks)));
            }
        }
        return out;
    }

    /** Whether every id is an integer and no two are equal: then they are the rows' {@code index}, as in Maestro's data. */
    static boolean numericUniqueIds(List<Task> tasks) {
        Set<Long> seen = new HashSet<>();
        for (Task t : tasks) {
            try {
                if (!seen.add(Long.parseLong(t.id().strip()))) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover hidden temp file is harmless
        }
    }
}
