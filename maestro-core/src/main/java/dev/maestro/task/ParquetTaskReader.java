package dev.maestro.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Maestro/verl parquet (DESIGN §4.2) with DuckDB: columns {@code data_source}, {@code prompt} (list of
 * {role, content}), {@code images} (list of {bytes, path}), {@code reward_model.ground_truth} and
 * {@code extra_info} (answer, index, question, split; our writer adds options, answer_type, group).
 *
 * <p>Task id = {@code extra_info.index} (else the row number); question = {@code extra_info.question}, else the
 * last user message without {@code <image>} tokens; gold = {@code ground_truth} (a string, number or list). Image
 * bytes are written once, named by their SHA-256, to an image folder; rows with only a {@code path} keep it,
 * resolved against the parquet file's folder (it must stay inside that folder and exist).
 */
public final class ParquetTaskReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParquetTaskReader() {
    }

    /** Reads a parquet file, writing embedded images to a new temporary folder. */
    public static List<Task> read(Path parquet) {
        try {
            return read(parquet, Files.createTempDirectory("maestro-parquet-images"));
        } catch (IOException e) {
            throw new MaestroException("cannot create a temporary image folder: " + e.getMessage(), e);
        }
    }

    /** Reads a parquet file, writing embedded images (named by content hash) into {@code imageDir}. */
    public static List<Task> read(Path parquet, Path imageDir) {
        Path file = parquet.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new MaestroException("parquet file not found: " + file);
        }
        String src = "read_parquet(" + literal(file.toString()) + ", file_row_number=true)";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            Map<String, String> columns = new HashMap<>();
            try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + src)) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getString(2));
                }
            }
            for (String required : List.of("data_source", "prompt", "reward_model")) {
                if (!columns.containsKey(required)) {
                    throw new MaestroException(file + ": not Maestro/verl parquet, column '" + required
                            + "' missing; found " + columns.keySet()
                            + " (expected data_source, prompt, images, reward_model, extra_info)");
                }
            }
            Map<Long, List<Path>> images = columns.containsKey("images")
                    ? images(s, src, columns.get("images"), file, imageDir) : Map.of();
            String extra = columns.containsKey("extra_info") ? "to_json(extra_info)" : "NULL";
            List<Task> tasks = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT file_row_number, CAST(data_source AS VARCHAR), to_json(prompt), "
                    + "to_json(reward_model), " + extra + " FROM " + src + " ORDER BY file_row_number")) {
                while (rs.next()) {
                    long row = rs.getLong(1);
                    Task t = task(file, row, rs.getString(2), json(rs.getString(3)), json(rs.getString(4)),
                            json(rs.getString(5)), images.getOrDefault(row, List.of()));
                    if (!ids.add(t.id())) {
                        throw new MaestroException(file + ": row " + row + ": duplicate extra_info.index '" + t.id() + "'");
                    }
                    tasks.add(t);
                }
            }
            return tasks;
        } catch (SQLException e) {
            throw new MaestroException("cannot read parquet " + file + ": " + e.getMessage(), e);
        }
    }

    private static Task task(Path file, long row, String dataSource, JsonNode prompt, JsonNode reward, JsonNode extra,
                             List<Path> images) {
        String where = file + ": row " + row;
        String id = text(extra, "index");
        if (id == null || id.isBlank()) {
            id = Long.toString(row);
        }
        String question = text(extra, "question");
        String system = null;
        if (question == null && prompt != null && prompt.isArray()) {
            for (JsonNode m : prompt) {
                if ("user".equals(m.path("role").asText())) {
                    question = m.path("content").asText().replace("<image>", "").strip();
                }
            }
        }
        if (prompt != null && prompt.isArray()) {
            for (JsonNode m : prompt) {
                if ("system".equals(m.path("role").asText())) {
                    system = m.path("content").asText();
                }
            }
        }
        if (question == null || question.isBlank()) {
            throw new MaestroException(where + ": no question (neither extra_info.question nor a user message in prompt)");
        }
        List<String> answers = new ArrayList<>();
        JsonNode gt = reward == null ? null : reward.get("ground_truth");
        if (gt != null && !gt.isNull()) {
            if (gt.isArray()) {
                gt.forEach(g -> answers.add(g.asText()));
            } else if (gt.isValueNode()) {
                answers.add(gt.asText());
            } else {
                throw new MaestroException(where + ": reward_model.ground_truth must be a string, number or list");
            }
        }
        if (answers.isEmpty() && text(extra, "answer") != null) {
            answers.add(text(extra, "answer"));
        }
        List<String> options = new ArrayList<>();
        if (extra != null && extra.path("options").isArray()) {
            extra.get("options").forEach(o -> options.add(o.asText()));
        }
        AnswerType type;
        String declared = text(extra, "answer_type");
        if (declared != null) {
            try {
                type = AnswerType.valueOf(declared.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new MaestroException(where + ": extra_info.answer_type '" + declared
                        + "' is not one of choice, number, text, unknown");
            }
        } else if (answers.isEmpty()) {
            type = AnswerType.UNKNOWN;
        } else if (!options.isEmpty()) {
            type = AnswerType.CHOICE;
        } else {
            type = answers.stream().allMatch(a -> AnswerText.number(a).isPresent()) ? AnswerType.NUMBER : AnswerType.TEXT;
        }
        String source = dataSource == null || dataSource.isBlank() ? "parquet" : dataSource;
        Map<String, String> metadata = new LinkedHashMap<>();
        String split = text(extra, "split");
        if (split != null) {
            metadata.put("split", split);
        }
        if (system != null) {
            metadata.put("system-prompt", system);
        }
        String group = text(extra, "group");
        return new Task(id, source, question, options, answers, type, group == null ? source : group, images,
                Map.of(), Map.of(), metadata);
    }

    private static Map<Long, List<Path>> images(Statement s, String src, String type, Path file, Path imageDir)
            throws SQLException {
        boolean hasBytes = type.contains("bytes");
        boolean hasPath = type.contains("path");
        if (!hasBytes && !hasPath) {
            throw new MaestroException(file + ": column images has type " + type + "; expected a list of {bytes, path}");
        }
        Map<Long, List<Path>> out = new HashMap<>();
        String sql = "SELECT r, i, " + (hasBytes ? "im.bytes" : "NULL") + ", " + (hasPath ? "CAST(im.path AS VARCHAR)" : "NULL")
                + " FROM (SELECT file_row_number AS r, unnest(generate_series(1, len(images))) AS i, unnest(images) AS im FROM "
                + src + ") ORDER BY r, i";
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long row = rs.getLong(1);
                byte[] bytes = hasBytes ? rs.getBytes(3) : null;
                String path = rs.getString(4);
                Path image;
                if (bytes != null && bytes.length > 0) {
                    image = store(imageDir, bytes);
                } else if (path != null && !path.isBlank()) {
                    image = resolve(file, row, path);
                } else {
                    throw new MaestroException(file + ": row " + row + ": image " + rs.getInt(2) + " has neither bytes nor path");
                }
                out.computeIfAbsent(row, k -> new ArrayList<>()).add(image);
            }
        }
        return out;
    }

    private static Path resolve(Path file, long row, String path) {
        Path folder = file.getParent();
        Path p = Path.of(path);
        Path resolved = (p.isAbsolute() ? p : folder.resolve(p)).normalize();
        if (!resolved.startsWith(folder)) {
            throw new MaestroException(file + ": row " + row + ": image path '" + path + "' escapes the folder " + folder);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new MaestroException(file + ": row " + row + ": image file '" + path + "' not found");
        }
        // a symlink inside the folder must not lead outside it either
        if (!TaskReader.realPathInside(resolved, folder)) {
            throw new MaestroException(file + ": row " + row + ": image path '" + path + "' escapes the folder " + folder
                    + " through a symbolic link");
        }
        return resolved;
    }

    /** Writes image bytes once under their content hash, so re-reading a file reuses the same files. */
    private static Path store(Path dir, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            String name = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16)
                    + extension(bytes);
            Path target = dir.resolve(name);
            if (!Files.exists(target)) {
                Path tmp = Files.createTempFile(dir, "img", ".part");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new MaestroException("cannot write image to " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    static String extension(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return ".png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return ".jpg";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return ".gif";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E') {
            return ".webp";
        }
        return ".bin";
    }

    private static String text(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
    }

    private static JsonNode json(String s) {
        if (s == null) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new MaestroException("DuckDB returned JSON that does not parse: " + e.getMessage(), e);
        }
    }

    /** A SQL string literal (DuckDB table functions take the path as a literal). */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
