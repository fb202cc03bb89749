package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.maestro.MaestroException;
import java.util.List;
import java.util.Map;

/**
 * The report contract (DESIGN §4.3): one per evaluation, written as {@code report.json}.
 *
 * @param simulated true when any number comes from simulated experts
 * @param grading   how answers were graded (recorded flags of replayed outputs, or our grader)
 * @param sections  further named sections (training curves, generalization, pair table, ...)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Report(
        String suite,
        String split,
        int tasks,
        long seed,
        boolean simulated,
        String grading,
        List<SystemResult> systems,
        Map<String, Object> sections) {

    /** How answers are graded in every report of this version. */
    public static final String GRADING = "recorded flag when the answer is a replayed output's, else the suite grader";

    public SystemResult system(String name) {
        return systems.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new MaestroException("no system '" + name + "' in report; systems: "
                        + String.join(", ", systems.stream().map(SystemResult::name).toList())));
    }
}
