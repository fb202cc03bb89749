package dev.maestro.skill.tool;

import java.util.Arrays;
import java.util.function.IntPredicate;

/** 8-connected component labelling on a pixel mask, iterative (no recursion depth limit). */
final class Components {

    private Components() {
    }

    /** Sizes of the 8-connected components of pixels where {@code mask} holds. */
    static int[] sizes(Pixels p, IntPredicate mask) {
        int w = p.width;
        int h = p.height;
        int n = w * h;
        boolean[] seen = new boolean[n];
        int[] stack = new int[n];
        int[] sizes = new int[16];
        int count = 0;
        for (int start = 0; start < n; start++) {
            if (seen[start] || !mask.test(start)) {
                continue;
            }
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            int size = 0;
            while (top > 0) {
                int i = stack[--top];
                size++;
                int x = i % w;
                int y = i / w;
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w) {
                            continue;
                        }
                        int j = yy * w + xx;
                        if (!seen[j] && mask.test(j)) {
                            seen[j] = true;
                            stack[top++] = j;
                        }
                    }
                }
            }
            if (count == sizes.length) {
                sizes = Arrays.copyOf(sizes, count * 2);
            }
            sizes[count++] = size;
        }
        return Arrays.copyOf(sizes, count);
    }
}
