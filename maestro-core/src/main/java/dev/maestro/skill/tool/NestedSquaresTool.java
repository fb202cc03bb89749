package dev.maestro.skill.tool;

/**
 * Counts nested squares (BlindTest NestedSquares).
 *
 * <p>Each square outline is a closed ring of ink that does not touch the others, so the count is the
 * number of 8-connected ink components, ignoring specks smaller than {@link #MIN_PIXELS}.
 */
final class NestedSquaresTool extends BaseTool {

    private static final int MIN_PIXELS = 40;

    NestedSquaresTool() {
        super("nested-squares", "Counts nested square outlines in an image; answer is the number. No argument.");
    }

    @Override
    Outcome execute(ToolInput in) {
        Pixels p = Pixels.load(oneImage(in));
        int[] sizes = Components.sizes(p, p::dark);
        int count = 0;
        for (int s : sizes) {
            if (s >= MIN_PIXELS) {
                count++;
            }
        }
        return Outcome.answer(Integer.toString(count), count + " nested squares (separate ink outlines)");
    }
}
