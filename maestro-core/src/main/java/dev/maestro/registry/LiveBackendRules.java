package dev.maestro.registry;

import dev.maestro.registry.Fields.Ctx;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What each live backend needs in its {@code models.yaml} entry, checked when the registry is read (so
 * {@code registry check} reports it, with the line and an example), not first when the expert is wired.
 *
 * <table>
 *   <caption>required keys by backend</caption>
 *   <tr><th>backend</th><th>base-url</th><th>model-name</th><th>api-key-env</th><th>own keys</th></tr>
 *   <tr><td>openai</td><td>required</td><td>required</td><td>optional (a dummy key otherwise)</td><td></td></tr>
 *   <tr><td>anthropic</td><td>optional (api.anthropic.com)</td><td>required</td><td>required</td><td></td></tr>
 *   <tr><td>gemini</td><td>optional (generativelanguage.googleapis.com)</td><td>required</td><td>required</td><td></td></tr>
 *   <tr><td>azure-openai</td><td>required (the resource endpoint)</td><td>or deployment</td><td>required</td>
 *       <td>deployment (default model-name), api-version</td></tr>
 *   <tr><td>ollama</td><td>optional (localhost:11434)</td><td>required</td><td>optional (sent as a bearer token)</td><td></td></tr>
 * </table>
 */
final class LiveBackendRules {
    /** Azure's API versions are dates, previews end in {@code -preview}. */
    static final Pattern API_VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-preview)?");
    /** Azure deployment names: letters, digits, '-', '_', '.' (they become a URL path segment). */
    static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private LiveBackendRules() {
    }

    static void check(ReadContext ctx, Ctx c, Map<String, YamlNode> m, Backend b) {
        switch (b) {
            case OPENAI -> {
                need(ctx, c, m, b, "base-url", "e.g. http://127.0.0.1:8000/v1");
                need(ctx, c, m, b, "model-name", "the name the endpoint serves, e.g. Qwen/Qwen3-VL-8B-Instruct");
            }
            case ANTHROPIC -> {
                need(ctx, c, m, b, "model-name", "e.g. claude-sonnet-4-5");
                need(ctx, c, m, b, "api-key-env", "the NAME of the environment variable holding the key, "
                        + "e.g. ANTHROPIC_API_KEY");
            }
            case GEMINI -> {
                need(ctx, c, m, b, "model-name", "e.g. gemini-2.5-flash");
                need(ctx, c, m, b, "api-key-env", "the NAME of the environment variable holding the key, "
                        + "e.g. GEMINI_API_KEY");
            }
            case OLLAMA -> need(ctx, c, m, b, "model-name", "a model pulled into Ollama, e.g. llama3.2-vision");
            case AZURE_OPENAI -> azure(ctx, c, m);
            default -> {
                // replay, simulated and none are not live
            }
        }
    }

    private static void azure(ReadContext ctx, Ctx c, Map<String, YamlNode> m) {
        need(ctx, c, m, Backend.AZURE_OPENAI, "base-url", "the resource endpoint, e.g. https://my-resource.openai.azure.com");
        need(ctx, c, m, Backend.AZURE_OPENAI, "api-key-env", "the NAME of the environment variable holding the key, "
                + "e.g. AZURE_OPENAI_API_KEY");
        if (!present(m, "deployment") && !present(m, "model-name")) {
            ctx.error(c.file(), c.line(), c.field("deployment"), "the azure-openai backend needs deployment (the name of "
                    + "the deployment in your Azure resource, e.g. gpt-4o-mini) or model-name (used as the deployment)");
        }
        YamlNode d = m.get("deployment");
        if (present(m, "deployment") && !(d.isScalar() && DEPLOYMENT.matcher(d.text().strip()).matches())) {
            ctx.error(c.file(), d.line(), c.field("deployment"), "deployment must be a deployment name (letters, digits, "
                    + "'-', '_', '.'; at most 64), e.g. gpt-4o-mini");
        }
        YamlNode v = m.get("api-version");
        if (present(m, "api-version") && !(v.isScalar() && API_VERSION.matcher(v.text().strip()).matches())) {
            ctx.error(c.file(), v.line(), c.field("api-version"), "api-version must be an Azure OpenAI API version such "
                    + "as 2024-06-01 or 2025-01-01-preview (YYYY-MM-DD, optionally -preview); leave it out for the "
                    + "latest the client supports");
        }
    }

    private static boolean present(Map<String, YamlNode> m, String key) {
        YamlNode n = m.get(key);
        return n != null && !n.isNull() && !(n.isScalar() && n.text().isBlank());
    }

    private static void need(ReadContext ctx, Ctx c, Map<String, YamlNode> m, Backend b, String key, String example) {
        if (!present(m, key)) {
            ctx.error(c.file(), c.line(), c.field(key), "the " + b.id() + " backend needs " + key + " (" + example + ")");
        }
    }
}
