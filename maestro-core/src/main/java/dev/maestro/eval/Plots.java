package dev.maestro.eval;

import dev.maestro.AtomicFiles;
import dev.maestro.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Line plots for report sections that carry curves: a section whose value is a map with a
 * {@code "curves"} entry of name → list of numbers is drawn as one PNG.
 */
final class Plots {
    private Plots() {
    }

    @SuppressWarnings("unchecked")
    static List<String> writeSectionPlots(Report r, Path dir) {
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, Object> e : r.sections().entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> m) || !(m.get("curves") instanceof Map<?, ?> curves)) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(760).height(400).title(e.getKey())
                    .xAxisTitle(String.valueOf(m.containsKey("x") ? m.get("x") : "step")).yAxisTitle("value").build();
            for (Map.Entry<?, ?> c : curves.entrySet()) {
                List<Number> ys = (List<Number>) c.getValue();
                if (ys.isEmpty()) {
                    continue;
                }
                double[] x = new double[ys.size()];
                double[] y = new double[ys.size()];
                for (int i = 0; i < ys.size(); i++) {
                    x[i] = i + 1;
                    y[i] = ys.get(i).doubleValue();
                }
                chart.addSeries(String.valueOf(c.getKey()), x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            }
            String file = e.getKey().replaceAll("[^A-Za-z0-9]+", "_").toLowerCase(java.util.Locale.ROOT) + ".png";
            AtomicFiles.write(dir.resolve(file), ReportWriter.png(chart));
            files.add(file);
        }
        return files;
    }
}
