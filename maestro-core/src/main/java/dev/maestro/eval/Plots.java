package dev.maestro.eval;

import dev.maestro.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Plots for report sections: a {@link CurveSection} is drawn as one line plot; a {@link CostCurve} section as the
 * learned accuracy-vs-cost curve with the baselines' points.
 */
final class Plots {
    private Plots() {
    }

    static List<String> writeSectionPlots(Report r, Path dir) {
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, Object> e : r.sections().entrySet()) {
            if (e.getValue() instanceof CostCurve cc) {
                AtomicFiles.write(dir.resolve("cost_curve.png"), ReportWriter.png(costCurve(r, e.getKey(), cc)));
                files.add("cost_curve.png");
                continue;
            }
            if (!(e.getValue() instanceof CurveSection section)) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(760).height(400).title(e.getKey())
                    .xAxisTitle(section.x()).yAxisTitle(section.yTitle()).build();
            List<Double> xs = section.xValues();
            for (Map.Entry<String, List<Double>> c : section.curves().entrySet()) {
                List<Double> ys = c.getValue();
                if (ys.isEmpty()) {
                    continue;
                }
                double[] x = new double[ys.size()];
                double[] y = new double[ys.size()];
                for (int i = 0; i < ys.size(); i++) {
                    x[i] = xs.size() == ys.size() ? xs.get(i) : i + 1;
                    y[i] = ys.get(i);
                }
                chart.addSeries(c.getKey(), x, y).setMarker(SeriesMarkers.NONE);
            }
            String file = e.getKey().replaceAll("[^A-Za-z0-9]+", "_").toLowerCase(Locale.ROOT) + ".png";
            AtomicFiles.write(dir.resolve(file), ReportWriter.png(chart));
            files.add(file);
        }
        return files;
    }

    /** Accuracy against cost per task: the learned curve (one marker per weight, the default one larger) and baselines. */
    static XYChart costCurve(Report r, String title, CostCurve cc) {
        XYChart chart = new XYChartBuilder().width(860).height(500)
                .title(r.suite() + ": " + title + (r.simulated() ? " (SIMULATED experts)" : ""))
                .xAxisTitle("mean cost per task (USD)").yAxisTitle("accuracy").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(8);
        if (!cc.learned().isEmpty()) {
            List<CostCurve.Point> pts = new ArrayList<>(cc.learned());
            pts.sort(Comparator.comparingDouble(CostCurve.Point::meanCostUsd));
            double[] x = pts.stream().mapToDouble(CostCurve.Point::meanCostUsd).toArray();
            double[] y = pts.stream().mapToDouble(CostCurve.Point::accuracy).toArray();
            chart.addSeries("learned (one policy, cost weights "
                    + cc.learned().get(0).weight() + "–" + cc.learned().get(cc.learned().size() - 1).weight() + ")", x, y)
                    .setMarker(SeriesMarkers.DIAMOND);
            cc.learned().stream().filter(p -> p.weight() == cc.defaultWeight()).findFirst().ifPresent(p ->
                    chart.addSeries("learned at the default weight " + p.weight(), new double[] {p.meanCostUsd()},
                                    new double[] {p.accuracy()})
                            .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
                            .setMarker(SeriesMarkers.SQUARE));
        }
        for (String name : cc.baselines()) {
            r.systems().stream().filter(s -> s.name().equals(name)).findFirst().ifPresent(s ->
                    chart.addSeries(name, new double[] {s.mean_cost_usd()}, new double[] {s.accuracy()})
                            .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
                            .setMarker(SeriesMarkers.CIRCLE));
        }
        return chart;
    }
}
