package dev.maestro.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test-only reader of the generic task JSONL the simulated suite writes. Metadata values become
 * text: numbers as written, arrays as their JSON text — what the simulated expert expects to find.
 */
public final class SimSuiteTasks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimSuiteTasks() {
    }

    public static List<Task> parse(String jsonl) {
        List<Task> out = new ArrayList<>();
        for (String line : jsonl.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                List<String> options = new ArrayList<>();
                n.path("options").forEach(o -> options.add(o.asText()));
                Map<String, String> meta = new LinkedHashMap<>();
                n.path("metadata").fields().forEachRemaining(e ->
                        meta.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                meta.put("split", n.path("split").asText());
                out.add(new Task(n.get("id").asText(), n.get("source").asText(), n.get("question").asText(), options,
                        List.of(n.get("answer").asText()),
                        AnswerType.valueOf(n.get("answer_type").asText().toUpperCase(Locale.ROOT)), n.get("group").asText(),
                        List.of(), Map.of(), Map.of(), meta));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
