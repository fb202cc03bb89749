package dev.maestro.task;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.imageio.ImageIO;

/**
 * Builds {@code src/test/resources/parquet/verl-sample.parquet}, a small file in the Maestro/verl shape written
 * with plain DuckDB SQL (not with {@link ParquetTaskWriter}, so the reader test is not circular). The file is
 * committed; re-run {@code main} from the maestro-core folder to rebuild it.
 */
public final class ParquetFixture {

    static final Path FILE = Path.of("src/test/resources/parquet/verl-sample.parquet");

    private ParquetFixture() {
    }

    public static void main(String[] args) throws Exception {
        write(args.length > 0 ? Path.of(args[0]) : FILE);
    }

    static void write(Path out) throws IOException, SQLException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.deleteIfExists(out);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE img (k VARCHAR, b BLOB)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO img VALUES (?, ?)")) {
                p.setString(1, "png");
                p.setBytes(2, image("png", 0xFF0000));
                p.execute();
                p.setString(1, "jpg");
                p.setBytes(2, image("jpg", 0x0000FF));
                p.execute();
            }
            String sys = "'You are Maestro. Call experts with <search> MODEL@@SKILL: INPUT </search> and answer with <answer> A </answer>.'";
            s.execute("COPY (SELECT * FROM ("
                    + "SELECT 0 AS o, 'mathv' AS data_source,"
                    + " [{'role': 'system', 'content': " + sys + "}, {'role': 'user', 'content': '<image>What is 2+2?'}] AS prompt,"
                    + " [{'bytes': (SELECT b FROM img WHERE k = 'png'), 'path': NULL::VARCHAR}] AS images,"
                    + " 'math' AS ability,"
                    + " {'style': 'rule', 'ground_truth': '4'} AS reward_model,"
                    + " {'answer': '4', 'index': 0::BIGINT, 'question': 'What is 2+2?', 'split': 'train'} AS extra_info"
                    + " UNION ALL SELECT 1, 'chartqa',"
                    + " [{'role': 'system', 'content': " + sys + "}, {'role': 'user', 'content': '<image><image>Which bar is tallest?'}],"
                    + " [{'bytes': (SELECT b FROM img WHERE k = 'png'), 'path': 'a.png'}, {'bytes': (SELECT b FROM img WHERE k = 'jpg'), 'path': 'b.jpg'}],"
                    + " 'chart',"
                    + " {'style': 'rule', 'ground_truth': 'Blue'},"
                    + " {'answer': 'Blue', 'index': 1::BIGINT, 'question': 'Which bar is tallest?', 'split': 'test'}"
                    + " UNION ALL SELECT 2, 'mathv',"
                    + " [{'role': 'user', 'content': 'Half of one?'}],"
                    + " []::STRUCT(bytes BLOB, path VARCHAR)[],"
                    + " 'math',"
                    + " {'style': 'rule', 'ground_truth': '\\frac{1}{2}'},"
                    + " {'answer': '\\frac{1}{2}', 'index': 2::BIGINT, 'question': NULL::VARCHAR, 'split': 'test'}"
                    + ") ORDER BY o) TO " + ParquetTaskReader.literal(out.toAbsolutePath().toString()) + " (FORMAT parquet)");
        }
    }

    private static byte[] image(String format, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 3; y++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }
}
