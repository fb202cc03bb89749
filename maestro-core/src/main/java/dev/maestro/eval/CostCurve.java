package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The learned policy's cost–quality curve on an evaluation split: one point per cost weight (the same trained
 * policy, told a different weight), with the baselines to compare against named (their points are their rows in
 * the report's {@code systems}; upper bounds are not on the curve). A report section, drawn as
 * {@code cost_curve.png}.
 *
 * @param defaultWeight the weight the policy uses unless told otherwise (chosen on the validation split)
 * @param learned       one point per weight, in increasing weight (so, roughly, decreasing cost)
 * @param baselines     the systems plotted next to the curve
 */
@JsonPropertyOrder({"x", "y", "default_weight", "learned", "baselines", "note"})
public record CostCurve(String x, String y, @JsonProperty("default_weight") double defaultWeight, List<Point> learned,
                        List<String> baselines, String note) {

    /** The policy at one cost weight. */
    @JsonPropertyOrder({"accuracy", "mean_cost_usd", "mean_calls", "weight"})
    public record Point(double accuracy, @JsonProperty("mean_cost_usd") double meanCostUsd,
                        @JsonProperty("mean_calls") double meanCalls, double weight) {
    }

    public CostCurve {
        learned = List.copyOf(learned);
        baselines = List.copyOf(baselines);
    }
}
