package dev.maestro.bench;

import dev.maestro.eval.PairMatrix;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.util.List;

/**
 * The answers of k voters (pairs, best first) on a set of tasks, as the aggregators of {@link AggregateBoundMain} read
 * them: per task and voter the normalised answer (null when the voter gave none, failed calls included), its grade
 * and its cost; per task its group (index into the sorted group names, -1 for a group train never saw) and how many
 * wrong answers a chance pick can land on (what the policy's vote weight uses).
 */
record Ballots(String[][] answer, double[][] grade, double[][] cost, int[] group, int groups, double[] wrong) {

    static Ballots of(PairMatrix m, int[] voters, List<String> groupNames) {
        int n = m.tasks().size();
        String[][] a = new String[n][voters.length];
        double[][] g = new double[n][voters.length];
        double[][] c = new double[n][voters.length];
        int[] grp = new int[n];
        double[] wrong = new double[n];
        for (int t = 0; t < n; t++) {
            Task task = m.tasks().get(t);
            for (int j = 0; j < voters.length; j++) {
                a[t][j] = m.answer(t, voters[j]).orElse(null);
                g[t][j] = m.grade(t, voters[j]);
                c[t][j] = m.cost(t, voters[j]);
            }
            grp[t] = groupNames.indexOf(task.group());
            // as the policy's Featurizer: the wrong options of a multiple-choice task, else 9
            wrong[t] = task.answerType() == AnswerType.CHOICE && !task.options().isEmpty()
                    ? Math.max(1, task.options().size() - 1) : 9;
        }
        return new Ballots(a, g, c, grp, groupNames.size(), wrong);
    }

    int tasks() {
        return answer.length;
    }

    int voters() {
        return answer.length == 0 ? 0 : answer[0].length;
    }

    /** The tasks where {@code keep} is true, in order. */
    Ballots rows(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        String[][] a = new String[n][];
        double[][] g = new double[n][];
        double[][] c = new double[n][];
        int[] grp = new int[n];
        double[] w = new double[n];
        int i = 0;
        for (int t = 0; t < keep.length; t++) {
            if (keep[t]) {
                a[i] = answer[t];
                g[i] = grade[t];
                c[i] = cost[t];
                grp[i] = group[t];
                w[i] = wrong[t];
                i++;
            }
        }
        return new Ballots(a, g, c, grp, groups, w);
    }

    /**
     * Per voter, the option it named on task t (options numbered by the first voter naming them, so option 0 is the
     * best-ranked voter's answer), -1 where it named none. The option count is the maximum + 1.
     */
    int[] options(int t) {
        int[] opt = new int[voters()];
        int next = 0;
        for (int j = 0; j < opt.length; j++) {
            opt[j] = -1;
            if (answer[t][j] == null) {
                continue;
            }
            for (int i = 0; i < j; i++) {
                if (answer[t][j].equals(answer[t][i])) {
                    opt[j] = opt[i];
                    break;
                }
            }
            if (opt[j] < 0) {
                opt[j] = next++;
            }
        }
        return opt;
    }

    /** The first voter naming option o on task t (whose grade the option carries). */
    static int voterOf(int[] opt, int o) {
        for (int j = 0; j < opt.length; j++) {
            if (opt[j] == o) {
                return j;
            }
        }
        throw new IllegalArgumentException("no voter named option " + o);
    }
}
