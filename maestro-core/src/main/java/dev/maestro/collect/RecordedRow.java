package dev.maestro.collect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One expert reply in the recorded-outputs format the {@code replay} backend reads
 * ({@link dev.maestro.expert.RecordedOutputs}): {@code {task_id, model, skill, response?, answer?, tokens?, cost_usd,
 * latency_ms?}}. {@code skill} is the skill name the replay backend will look the reply up by (for BlindTest-style
 * tasks the recorded slot, see {@link dev.maestro.expert.ReplayExpert#recordedSkill}). A live reply has no
 * {@code correct} flag, so replayed answers are graded against the gold like live ones; a reply collected from a
 * replay model keeps the flag it was recorded with.
 */
record RecordedRow(String taskId, String model, String skill, Optional<String> response, Optional<String> answer,
                   Optional<Boolean> correct, OptionalLong inputTokens, OptionalLong outputTokens, double costUsd,
                   OptionalDouble latencyMs) {

    /** (task, model, skill): what the replay backend indexes by; unique in a recorded file. */
    String key() {
        return taskId + "\u0000" + model + "\u0000" + skill;
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("task_id", taskId);
        n.put("model", model);
        n.put("skill", skill);
        response.ifPresent(v -> n.put("response", v));
        answer.ifPresent(v -> n.put("answer", v));
        correct.ifPresent(v -> n.put("correct", v));
        if (inputTokens.isPresent() && outputTokens.isPresent()) {
            ObjectNode t = n.putObject("tokens");
            t.put("input", inputTokens.getAsLong());
            t.put("output", outputTokens.getAsLong());
        }
        n.put("cost_usd", costUsd);
        latencyMs.ifPresent(v -> n.put("latency_ms", v));
        return n;
    }
}
