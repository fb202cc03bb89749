package dev.maestro.skill.tool;

/**
 * Counts the rows and columns of a ruled table (BlindTest CountingRowsAndColumns).
 *
 * <p>A ruling line is a run of pixel rows (or columns) in which most pixels are dark; cell text never
 * covers most of a row, so it is ignored. {@code n} horizontal lines bound {@code n-1} rows. The answer is
 * {@code "RxC"} (rows × columns), the dataset's gold convention.
 */
final class GridSizeTool extends BaseTool {

    /** Share of dark pixels that makes a pixel row part of a ruling line. */
    private static final double LINE_SHARE = 0.6;

    GridSizeTool() {
        super("grid-size", "Counts rows and columns of a ruled table/grid image; answer \"RxC\" (rows x columns). No argument.");
    }

    @Override
    Outcome execute(ToolInput in) {
        Pixels p = Pixels.load(oneImage(in));
        int[] rowDark = new int[p.height];
        int[] colDark = new int[p.width];
        for (int y = 0; y < p.height; y++) {
            for (int x = 0; x < p.width; x++) {
                if (p.dark(y * p.width + x)) {
                    rowDark[y]++;
                    colDark[x]++;
                }
            }
        }
        int horizontal = runs(rowDark, p.width);
        int vertical = runs(colDark, p.height);
        if (horizontal < 2 || vertical < 2) {
            throw new ToolException("found " + horizontal + " horizontal and " + vertical
                    + " vertical ruling lines; a table needs at least 2 of each");
        }
        int rows = horizontal - 1;
        int cols = vertical - 1;
        return Outcome.answer(rows + "x" + cols, rows + " rows and " + cols + " columns ("
                + horizontal + " horizontal and " + vertical + " vertical lines)");
    }

    private static int runs(int[] dark, int length) {
        int runs = 0;
        boolean inside = false;
        for (int d : dark) {
            boolean line = d >= LINE_SHARE * length;
            if (line && !inside) {
                runs++;
            }
            inside = line;
        }
        return runs;
    }
}
