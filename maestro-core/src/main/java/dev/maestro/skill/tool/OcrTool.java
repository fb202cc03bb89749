package dev.maestro.skill.tool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads text from images with the Tesseract command-line program ({@code tesseract IMAGE stdout}).
 * The program is found on the PATH, or at {@code $MAESTRO_TESSERACT}. Each run is limited to
 * {@link #TIMEOUT_SECONDS}; a missing program is a failure result that says how to install it.
 * Argument: optional Tesseract language code(s), e.g. {@code eng} or {@code eng+deu} (default eng).
 */
final class OcrTool extends BaseTool {

    static final long TIMEOUT_SECONDS = 30;
    static final String INSTALL_HINT = "install Tesseract: apt-get install -y tesseract-ocr tesseract-ocr-eng "
            + "(Debian/Ubuntu), brew install tesseract (macOS), or set MAESTRO_TESSERACT to the binary";

    private final String binary;

    OcrTool() {
        this(System.getenv().getOrDefault("MAESTRO_TESSERACT", "tesseract"));
    }

    OcrTool(String binary) {
        super("ocr", "Reads the text in the image with Tesseract OCR; optional argument: language code (default eng).");
        this.binary = binary;
    }

    @Override
    Outcome execute(ToolInput in) {
        if (in.images().isEmpty()) {
            throw new ToolException("needs at least one image, the task has none");
        }
        String lang = in.argument().isBlank() ? "eng" : in.argument().strip();
        if (!lang.matches("[A-Za-z_]{3,16}(\\+[A-Za-z_]{3,16}){0,4}")) {
            throw new ToolException("language '" + lang + "' is not a Tesseract language code such as eng or eng+deu");
        }
        List<String> texts = new ArrayList<>();
        for (Path file : in.images()) {
            Pixels.read(file); // same checks and size limit as every image tool, before spawning a process
            texts.add(ocr(file, lang));
        }
        return Outcome.text(String.join("\n\n", texts).strip());
    }

    private String ocr(Path file, String lang) {
        ProcessBuilder pb = new ProcessBuilder(binary, file.toAbsolutePath().toString(), "stdout", "-l", lang);
        pb.environment().put("OMP_THREAD_LIMIT", "1"); // the machine is shared; one thread per OCR run
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            throw new ToolException("the Tesseract program '" + binary + "' was not found; " + INSTALL_HINT);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(proc.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(proc.getErrorStream()));
        try {
            if (!proc.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new ToolException("Tesseract took longer than " + TIMEOUT_SECONDS + " s on " + file.getFileName());
            }
            String stdout = out.get(5, TimeUnit.SECONDS);
            if (proc.exitValue() != 0) {
                String stderr = err.get(5, TimeUnit.SECONDS).strip();
                throw new ToolException("Tesseract failed on " + file.getFileName() + " (exit " + proc.exitValue() + "): "
                        + stderr.lines().reduce((a, b) -> b).orElse("") + (stderr.contains("traineddata")
                        ? "; is the language pack installed? e.g. apt-get install tesseract-ocr-" + lang : ""));
            }
            return stdout;
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ToolException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            proc.destroyForcibly();
            throw new ToolException("could not read Tesseract's output: " + e.getMessage());
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
