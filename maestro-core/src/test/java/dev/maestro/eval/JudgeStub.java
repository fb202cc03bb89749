package dev.maestro.eval;

import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.task.AnswerGrader;

/** Test fixture: an LLM judge whose model always answers "VERDICT: CORRECT". */
public final class JudgeStub {
    private JudgeStub() {
    }

    public static JudgeGrader alwaysCorrect() {
        ModelCard m = ModelCard.builder("judge", Backend.OPENAI).baseUrl("http://127.0.0.1:9/v1").build();
        return JudgeGrader.create(AnswerGrader.create(), m, req -> ExpertReply.text("VERDICT: CORRECT", Usage.NONE, 0, 1),
                "rubric", true);
    }
}
