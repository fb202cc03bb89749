package dev.maestro.onboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graded outcomes of experts on questions: {@code grade(e, i)} in [0, 1], or unknown (NaN) where the expert was not
 * asked, its call failed, or nothing graded the answer — an unknown outcome says nothing about the expert and is
 * never read as wrong. Each question belongs to one group (a subject, a category), the unit the estimates are
 * reported in.
 */
public final class Outcomes {
    private final List<String> experts;
    private final List<String> items;
    private final List<String> groups;
    private final int[] groupOf;
    private final float[][] grade; // [expert][item]

    private Outcomes(List<String> experts, List<String> items, List<String> groups, int[] groupOf, float[][] grade) {
        this.experts = List.copyOf(experts);
        this.items = List.copyOf(items);
        this.groups = List.copyOf(groups);
        this.groupOf = groupOf;
        this.grade = grade;
    }

    /**
     * @param experts   expert ids (e.g. pair ids {@code model@@skill})
     * @param items     question ids
     * @param itemGroup the group of each question (same order as {@code items})
     * @param grades    {@code grades[e][i]} in [0, 1], NaN when unknown
     */
    public static Outcomes of(List<String> experts, List<String> items, List<String> itemGroup, double[][] grades) {
        if (itemGroup.size() != items.size()) {
            throw new IllegalArgumentException(itemGroup.size() + " groups for " + items.size() + " items");
        }
        if (grades.length != experts.size()) {
            throw new IllegalArgumentException(grades.length + " grade rows for " + experts.size() + " experts");
        }
        Map<String, Integer> gi = new LinkedHashMap<>();
        int[] g = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            g[i] = gi.computeIfAbsent(itemGroup.get(i), k -> gi.size());
        }
        float[][] f = new float[experts.size()][items.size()];
        for (int e = 0; e < experts.size(); e++) {
            if (grades[e].length != items.size()) {
                throw new IllegalArgumentException("expert " + experts.get(e) + ": " + grades[e].length + " grades for "
                        + items.size() + " items");
            }
            for (int i = 0; i < items.size(); i++) {
                double v = grades[e][i];
                if (!Double.isNaN(v) && !(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("expert " + experts.get(e) + ", item " + items.get(i)
                            + ": grade " + v + " is outside [0, 1]");
                }
                f[e][i] = (float) v;
            }
        }
        return new Outcomes(experts, items, new ArrayList<>(gi.keySet()), g, f);
    }

    public List<String> experts() { return experts; }
    public List<String> items() { return items; }
    /** Distinct groups, in order of first appearance. */
    public List<String> groups() { return groups; }
    public int groupOf(int item) { return groupOf[item]; }

    /** NaN when unknown. */
    public double grade(int expert, int item) {
        return grade[expert][item];
    }

    public boolean known(int expert, int item) {
        return !Float.isNaN(grade[expert][item]);
    }

    public int expertIndex(String id) {
        int e = experts.indexOf(id);
        if (e < 0) {
            throw new IllegalArgumentException("unknown expert " + id);
        }
        return e;
    }

    /** The same outcomes with other groups: {@code itemGroup} per question, in item order. */
    public Outcomes withGroups(List<String> itemGroup) {
        if (itemGroup.size() != items.size()) {
            throw new IllegalArgumentException(itemGroup.size() + " groups for " + items.size() + " items");
        }
        Map<String, Integer> gi = new LinkedHashMap<>();
        int[] g = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            g[i] = gi.computeIfAbsent(itemGroup.get(i), k -> gi.size());
        }
        return new Outcomes(experts, items, new ArrayList<>(gi.keySet()), g, grade);
    }

    /** The same questions, only these experts (in this order). */
    public Outcomes onlyExperts(List<String> ids) {
        float[][] f = new float[ids.size()][];
        for (int k = 0; k < ids.size(); k++) {
            f[k] = grade[expertIndex(ids.get(k))];
        }
        return new Outcomes(ids, items, groups, groupOf, f);
    }

    /** Mean known grade of an expert over the items of one group (NaN if none known); group -1 means all items. */
    public double accuracy(int expert, int group) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < items.size(); i++) {
            if ((group < 0 || groupOf[i] == group) && known(expert, i)) {
                s += grade[expert][i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Per group, its accuracy for {@code expert} on these items (by group name; groups without data left out). */
    public Map<String, Double> accuracyByGroup(int expert) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            double a = accuracy(expert, g);
            if (!Double.isNaN(a)) {
                out.put(groups.get(g), a);
            }
        }
        return out;
    }

    /** Share of the items in each group (by group name). */
    public Map<String, Double> groupShares() {
        double[] c = new double[groups.size()];
        for (int g : groupOf) {
            c[g]++;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            out.put(groups.get(g), items.isEmpty() ? 0 : c[g] / items.size());
        }
        return out;
    }

    /** Index of each item id. */
    Map<String, Integer> itemIndex() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            m.put(items.get(i), i);
        }
        return m;
    }

    @Override
    public String toString() {
        long known = 0;
        for (float[] row : grade) {
            known += Arrays.stream(toDouble(row)).filter(v -> !Double.isNaN(v)).count();
        }
        return "Outcomes[" + experts.size() + " experts, " + items.size() + " items, " + groups.size() + " groups, "
                + known + " known]";
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
