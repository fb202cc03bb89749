package dev.maestro.registry;

import dev.maestro.registry.Fields.Ctx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the keys of an {@code openai} model entry that shape its requests ({@link RequestSettings}) and its retries
 * and circuit breaker ({@link Resilience}). Header values stay templates: {@link ModelsReader} does not substitute
 * {@code ${VAR}} in them, because a value read from the environment there is a secret resolved only when the expert
 * is wired; here they are checked (syntax, and a warning for a variable that is not set) and never echoed.
 */
final class ModelSettingsReader {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the HTTP client sets itself. */
    private static final Set<String> CLIENT_HEADERS = Set.of("content-type", "content-length", "host", "connection",
            "transfer-encoding");
    /** Body fields extra-body may not set, and the key to use instead. */
    private static final Map<String, String> BODY_OWNED = Map.of("model", "model-name", "messages", "the skill's prompt",
            "stream", "nothing: streaming is not used", "temperature", "temperature", "top_p", "top-p",
            "max_tokens", "max-tokens", "max_completion_tokens", "max-tokens", "seed", "seed", "stop", "stop");
    static final int MAX_STOP = 4;
    static final int MAX_RETRY_ATTEMPTS = 20;

    private final ReadContext ctx;
    private final Fields fields;

    ModelSettingsReader(ReadContext ctx, Fields fields) {
        this.ctx = ctx;
        this.fields = fields;
    }

    RequestSettings request(Ctx c, Map<String, YamlNode> m, Optional<String> apiKeyEnv) {
        RequestSettings.Builder b = RequestSettings.builder();
        fields.number(c, m, "temperature", false).ifPresent(v -> {
            if (v >= 0 && v <= 2) {
                b.temperature(v);
            } else {
                ctx.error(c.file(), Fields.line(m, "temperature", c), c.field("temperature"), "temperature must be a "
                        + "number from 0 to 2, got " + v);
            }
        });
        fields.number(c, m, "top-p", false).ifPresent(v -> {
            if (v > 0 && v <= 1) {
                b.topP(v);
            } else {
                ctx.error(c.file(), Fields.line(m, "top-p", c), c.field("top-p"), "top-p must be a number above 0 and at "
                        + "most 1, got " + v);
            }
        });
        fields.integer(c, m, "max-tokens", false).ifPresent(v -> {
            if (v >= 1) {
                b.maxTokens(v);
            } else {
                ctx.error(c.file(), Fields.line(m, "max-tokens", c), c.field("max-tokens"), "max-tokens must be a "
                        + "whole number >= 1, got " + v);
            }
        });
        // an int: the OpenAI API's seed is a 32-bit integer
        fields.integer(c, m, "seed", false).ifPresent(v -> b.seed(v));
        fields.stringList(c, m, "stop").ifPresent(v -> {
            if (v.size() <= MAX_STOP) {
                b.stop(v);
            } else {
                ctx.error(c.file(), Fields.line(m, "stop", c), c.field("stop"), "stop takes at most " + MAX_STOP
                        + " sequences (the OpenAI API's limit), got " + v.size());
            }
        });
        fields.string(c, m, "system-prompt", false).ifPresent(b::systemPrompt);
        headers(c, m, apiKeyEnv).ifPresent(b::headers);
        extraBody(c, m).ifPresent(b::extraBody);
        return b.build();
    }

    Resilience resilience(Ctx c, Map<String, YamlNode> m) {
        Resilience r = Resilience.DEFAULTS;
        Optional<Integer> attempts = fields.integer(c, m, "retry-attempts", false);
        if (attempts.isPresent()) {
            if (attempts.get() >= 1 && attempts.get() <= MAX_RETRY_ATTEMPTS) {
                r = r.withRetryAttempts(attempts.get());
            } else {
                ctx.error(c.file(), Fields.line(m, "retry-attempts", c), c.field("retry-attempts"), "retry-attempts "
                        + "must be a whole number from 1 (no retry) to " + MAX_RETRY_ATTEMPTS + ", got " + attempts.get());
            }
        }
        Optional<Integer> failures = fields.integer(c, m, "breaker-failures", false);
        if (failures.isPresent()) {
            if (failures.get() >= 1) {
                r = r.withBreakerFailures(failures.get());
            } else {
                ctx.error(c.file(), Fields.line(m, "breaker-failures", c), c.field("breaker-failures"),
                        "breaker-failures must be a whole number >= 1, got " + failures.get());
            }
        }
        Optional<Duration> cap = fields.duration(c, m, "retry-backoff-cap");
        if (cap.isPresent()) {
            r = r.withRetryBackoffCap(cap.get());
        }
        Optional<Duration> coolDown = fields.duration(c, m, "breaker-cool-down");
        if (coolDown.isPresent()) {
            r = r.withBreakerCoolDown(coolDown.get());
        }
        // which ids exist, the model itself and cycles are checked across models (RegistryGraphCheck)
        Optional<List<String>> fallbacks = fields.stringList(c, m, "fallbacks");
        if (fallbacks.isPresent()) {
            fields.checkUnique(c, m, "fallbacks", fallbacks.get());
            r = r.withFallbacks(fallbacks.get());
        }
        return r;
    }

    private Optional<Map<String, String>> headers(Ctx c, Map<String, YamlNode> m, Optional<String> apiKeyEnv) {
        YamlNode n = m.get("headers");
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isMap()) {
            ctx.error(c.file(), n.line(), c.field("headers"), "headers must be a mapping of header name to value, "
                    + "e.g. {X-Api-Version: \"2\", X-Token: \"${MY_TOKEN}\"}, got " + n.kind());
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            String name = e.getKey();
            String field = c.field("headers") + "." + name;
            YamlNode v = e.getValue();
            if (!HEADER_NAME.matcher(name).matches()) {
                ctx.error(c.file(), v.line(), field, "not a valid HTTP header name (letters, digits and -_.!#$%&'*+^`|~)");
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (CLIENT_HEADERS.contains(lower)) {
                ctx.error(c.file(), v.line(), field, name + " is set by the HTTP client and cannot be overridden");
                continue;
            }
            if (lower.equals("authorization") && apiKeyEnv.isPresent()) {
                ctx.error(c.file(), v.line(), field, "Authorization is sent from api-key-env already; keep one of them");
                continue;
            }
            if (!v.isScalar() || v.value() instanceof Boolean) {
                ctx.error(c.file(), v.line(), field, "a header value must be a string, got " + v.kind());
                continue;
            }
            // values are never echoed: they may be, or name, secrets
            String template = v.text();
            Optional<String> bad = EnvTemplate.malformed(template);
            if (bad.isPresent()) {
                ctx.error(c.file(), v.line(), field, "malformed environment reference; write ${NAME} or "
                        + "${NAME:-default} (NAME: letters, digits, '_'); value not shown");
                continue;
            }
            EnvTemplate.Resolved r = EnvTemplate.resolve(template, k -> Optional.ofNullable(ctx.env.get(k)));
            for (String var : r.missing()) {
                ctx.warning(c.file(), v.line(), field, "environment variable " + var + " is not set; calls to this "
                        + "model will fail until it is (its value is a secret: read when the expert is wired, never "
                        + "shown)");
            }
            out.put(name, template);
        }
        return Optional.of(out);
    }

    private Optional<Map<String, Object>> extraBody(Ctx c, Map<String, YamlNode> m) {
        YamlNode n = m.get("extra-body");
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isMap()) {
            ctx.error(c.file(), n.line(), c.field("extra-body"), "extra-body must be a mapping of JSON fields merged "
                    + "into every request body, e.g. {repetition_penalty: 1.1}, got " + n.kind());
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            String instead = BODY_OWNED.get(e.getKey());
            if (instead != null) {
                ctx.error(c.file(), e.getValue().line(), c.field("extra-body") + "." + e.getKey(), "extra-body cannot "
                        + "set '" + e.getKey() + "'; use " + instead);
                continue;
            }
            out.put(e.getKey(), e.getValue().toPlainKeepingNulls());
        }
        return Optional.of(out);
    }
}
