package dev.maestro.bench;

import dev.maestro.skill.tool.ToolAccuracy;
import dev.maestro.skill.tool.ToolAccuracy.Item;
import dev.maestro.skill.tool.ToolAccuracy.Row;
import dev.maestro.skill.tool.Tools;
import java.nio.file.Path;
import java.util.List;

/**
 * Accuracy of each BlindTest image tool on the shipped images: {@code [data/blind] [--misses|--items]} (docs/tools.md).
 * A command-line entry point kept out of the library.
 */
public final class ToolAccuracyMain {
    private ToolAccuracyMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "data/blind");
        boolean misses = List.of(args).contains("--misses");
        boolean all = List.of(args).contains("--items");
        List<Row> rows = ToolAccuracy.measure(dir, Tools.defaults());
        System.out.print(ToolAccuracy.table(rows));
        if (misses || all) {
            for (Row r : rows) {
                for (Item i : all ? r.items() : r.misses()) {
                    System.out.println(r.tool() + " " + i.taskId() + " [" + i.variant() + "]  gold=" + i.gold() + " got="
                            + i.answer() + (i.correct() ? " ok" : " MISS") + " dev=" + i.devHalf() + " :: " + i.detail());
                }
            }
        }
    }
}
