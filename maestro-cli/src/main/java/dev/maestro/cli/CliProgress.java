package dev.maestro.cli;

import dev.maestro.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar on standard error (so standard output stays machine-readable). */
final class CliProgress implements Progress {
    private final boolean enabled;
    private ProgressBar bar;

    CliProgress(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public synchronized void start(String label, long total) {
        finish();
        if (enabled) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(200).continuousUpdate().build();
        }
    }

    @Override
    public synchronized void advance(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    @Override
    public synchronized void status(String text) {
        if (bar != null) {
            bar.setExtraMessage(" " + text);
        }
    }

    @Override
    public synchronized void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
