package dev.maestro;

/** Progress of long work; the CLI draws a progress bar from it. Must be thread-safe. */
public interface Progress {
    void start(String label, long total);

    void advance(long n);

    void finish();

    /** A short live status next to the bar (e.g. calls, errors and spend); ignored where nothing is drawn. */
    default void status(String text) {
    }

    Progress NONE = new Progress() {
        @Override public void start(String label, long total) { }
        @Override public void advance(long n) { }
        @Override public void finish() { }
    };
}
