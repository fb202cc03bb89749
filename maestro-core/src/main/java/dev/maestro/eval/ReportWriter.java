package dev.maestro.eval;

import dev.maestro.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maestro.MaestroException;
import dev.maestro.expert.PairHealth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes {@code report.json}, {@code report.html} and the PNG plots of a report, each atomically. */
public final class ReportWriter {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private ReportWriter() {
    }

    public static void write(Report report, Path dir) {
        try {
            AtomicFiles.write(dir.resolve("report.json"), JSON.writeValueAsBytes(report));
        } catch (IOException e) {
            throw new MaestroException("cannot serialise report: " + e.getMessage(), e);
        }
        AtomicFiles.write(dir.resolve("accuracy_vs_cost.png"), accuracyVsCost(report));
        List<String> extraPlots = Plots.writeSectionPlots(report, dir);
        AtomicFiles.write(dir.resolve("report.html"), html(report, extraPlots));
    }

    static byte[] accuracyVsCost(Report r) {
        XYChart chart = new XYChartBuilder().width(760).height(460)
                .title(r.suite() + " (" + r.split() + ")" + (r.simulated() ? " — SIMULATED experts" : ""))
                .xAxisTitle("mean cost per task (USD)").yAxisTitle("accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(11);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (SystemResult s : r.systems()) {
            String label = s.name() + ("upper-bound".equals(s.kind()) ? " (upper bound)" : "");
            XYSeries series = chart.addSeries(label, new double[] {s.mean_cost_usd()}, new double[] {s.accuracy()});
            series.setMarker("upper-bound".equals(s.kind()) ? SeriesMarkers.TRIANGLE_UP
                    : "learned".equals(s.kind()) ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        }
        return png(chart);
    }

    static byte[] png(XYChart chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            return out.toByteArray();
        } catch (IOException e) {
            throw new MaestroException("cannot render plot: " + e.getMessage(), e);
        }
    }

    /** A plain-text table of the systems, as printed by the CLI. */
    public static String table(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s — split %s, %d tasks, seed %d%s, graded by %s%n", r.suite(), r.split(),
                r.tasks(), r.seed(), r.simulated() ? ", SIMULATED experts" : "", r.grading()));
        sb.append(String.format(Locale.ROOT, "  %-26s %-11s %8s  %-15s %6s %11s %10s%n", "system", "kind", "acc %", "95% CI",
                "calls", "cost $/task", "decide µs"));
        for (SystemResult s : r.systems()) {
            sb.append(String.format(Locale.ROOT, "  %-26s %-11s %8.2f  [%5.2f, %5.2f] %6.2f %11.6f %10s%n",
                    s.name(), s.kind(), 100 * s.accuracy(), 100 * s.accuracy_ci95()[0], 100 * s.accuracy_ci95()[1],
                    s.mean_calls(), s.mean_cost_usd(),
                    s.decision_us_p50() == null ? "-" : String.format(Locale.ROOT, "%.2f", s.decision_us_p50())));
        }
        r.systems().stream().filter(s -> "upper-bound".equals(s.kind())).findAny()
                .ifPresent(s -> sb.append("  (upper-bound rows use hindsight/gold and are not results)\n"));
        for (SystemResult s : r.systems()) {
            failureLine(s).ifPresent(l -> sb.append("  ").append(s.name()).append(": ").append(l).append('\n'));
        }
        return sb.toString();
    }

    /** Failed calls and ungraded tasks of a system, in words; empty when there are none. */
    static Optional<String> failureLine(SystemResult s) {
        if (s.errors() == 0 && s.ungraded() == 0) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder();
        if (s.errors() > 0) {
            sb.append(String.format(Locale.ROOT, "%d of %d calls failed (%.1f%%, %s); accuracy over the %d tasks whose "
                            + "calls all succeeded %.2f%%", s.errors(), s.calls(), 100 * s.error_rate(), s.errors_by_kind(),
                    s.tasks_calls_succeeded(), 100 * s.accuracy_calls_succeeded()));
        }
        if (s.ungraded() > 0) {
            sb.append(sb.length() > 0 ? "; " : "").append(s.ungraded()).append(" of ").append(s.tasks())
                    .append(" tasks ungraded (no gold, no judge verdict), not counted in accuracy");
        }
        return Optional.of(sb.toString());
    }

    static String html(Report r, List<String> extraPlots) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Maestro report: ").append(esc(r.suite()))
                .append("</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                        + "td:first-child,th:first-child{text-align:left}.ub{color:#777;font-style:italic}"
                        + ".sim{background:#fee;padding:6px;border:1px solid #c99}</style></head><body>");
        sb.append("<h1>").append(esc(r.suite())).append(" — ").append(esc(r.split())).append(" split</h1>");
        if (r.simulated()) {
            sb.append("<p class=\"sim\"><b>Simulated experts:</b> every number on this page comes from simulated "
                    + "expert profiles, not from real models.</p>");
        }
        sb.append("<p>").append(r.tasks()).append(" tasks, seed ").append(r.seed()).append(", graded by ")
                .append(esc(r.grading())).append(".</p>");
        sb.append("<table><tr><th>system</th><th>kind</th><th>accuracy %</th><th>95% CI</th><th>calls</th>"
                + "<th>cost $/task</th><th>latency ms</th><th>decision µs p50</th><th>failed calls %</th>"
                + "<th>accuracy % when calls succeeded</th><th>ungraded</th><th>note</th></tr>");
        for (SystemResult s : r.systems()) {
            boolean ub = "upper-bound".equals(s.kind());
            sb.append("<tr").append(ub ? " class=\"ub\"" : "").append("><td>").append(esc(s.name()))
                    .append(s.pair() == null ? "" : " <small>(" + esc(s.pair()) + ")</small>").append("</td><td>")
                    .append(esc(s.kind())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", 100 * s.accuracy())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f–%.2f", 100 * s.accuracy_ci95()[0], 100 * s.accuracy_ci95()[1]))
                    .append("</td><td>").append(s.mean_calls()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.6f", s.mean_cost_usd())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.0f", s.mean_latency_ms())).append("</td><td>")
                    .append(s.decision_us_p50() == null ? "" : String.format(Locale.ROOT, "%.2f", s.decision_us_p50()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", 100 * s.error_rate()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.2f", 100 * s.accuracy_calls_succeeded()))
                    .append("</td><td>").append(s.ungraded())
                    .append("</td><td style=\"text-align:left\">").append(esc(s.note() == null ? "" : s.note()))
                    .append("</td></tr>");
        }
        sb.append("</table><p class=\"ub\">Upper-bound rows use hindsight (gold answers or recorded flags) and are "
                + "never a system's result.</p>");
        sb.append("<h2>Accuracy vs cost</h2><img src=\"accuracy_vs_cost.png\" alt=\"accuracy vs cost\">");
        for (String p : extraPlots) {
            sb.append("<h2>").append(esc(p.replace(".png", "").replace('_', ' '))).append("</h2><img src=\"")
                    .append(esc(p)).append("\" alt=\"").append(esc(p)).append("\">");
        }
        sb.append("<h2>By group</h2><table><tr><th>group</th>");
        List<SystemResult> sys = r.systems();
        sys.forEach(s -> sb.append("<th>").append(esc(s.name())).append("</th>"));
        sb.append("</tr>");
        TreeSet<String> groups = new TreeSet<>();
        sys.forEach(s -> groups.addAll(s.by_group().keySet()));
        for (String g : groups) {
            sb.append("<tr><td>").append(esc(g)).append("</td>");
            for (SystemResult s : sys) {
                Double v = s.by_group().get(g);
                sb.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * v)).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</table>");
        for (Map.Entry<String, Object> e : r.sections().entrySet()) {
            if (e.getKey().equals("calls_by_pair") && e.getValue() instanceof Map<?, ?> pairs) {
                pairTable(sb, pairs);
                continue;
            }
            sb.append("<h2>").append(esc(e.getKey())).append("</h2><pre>");
            try {
                sb.append(esc(JSON.writeValueAsString(e.getValue())));
            } catch (IOException ex) {
                sb.append("(unprintable)");
            }
            sb.append("</pre>");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** The calls_by_pair section as a table: one row per pair, failures and their cause. */
    private static void pairTable(StringBuilder sb, Map<?, ?> pairs) {
        sb.append("<h2>Calls by pair</h2><p>Every call of this run, and for live endpoints every HTTP request "
                + "(retries included, cache hits not). Above 5% failures a pair is flagged; at 50% of calls it is "
                + "unusable.</p><table><tr><th>pair</th><th>calls</th><th>failed calls %</th><th>requests</th>"
                + "<th>failed requests %</th><th>errors by kind</th><th>health</th><th>cause</th></tr>");
        for (Map.Entry<?, ?> p : pairs.entrySet()) {
            if (!(p.getValue() instanceof PairHealth.Line m)) {
                continue;
            }
            sb.append("<tr><td>").append(esc(String.valueOf(p.getKey()))).append("</td><td>").append(m.calls())
                    .append("</td><td>").append(pct(m.errorRate())).append("</td><td>")
                    .append(m.requests().map(String::valueOf).orElse("")).append("</td><td>")
                    .append(m.requestErrorRate().map(ReportWriter::pct).orElse("")).append("</td><td>")
                    .append(esc(String.valueOf(m.requestErrorsByKind().orElse(m.errorsByKind())))).append("</td><td>")
                    .append(esc(m.health())).append("</td><td style=\"text-align:left\">")
                    .append(esc(m.cause().orElse(""))).append("</td></tr>");
        }
        sb.append("</table>");
    }

    private static String pct(double rate) {
        return String.format(Locale.ROOT, "%.1f", 100 * rate);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
