package dev.maestro.skill;

import dev.maestro.MaestroException;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.expert.Usage;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryProblem;
import dev.maestro.registry.SkillCard;
import dev.maestro.registry.SkillWorkflow;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.AnswerExtractor;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Executes a {@code SKILL.md} as a workflow (see docs/skills.md):
 * <ul>
 *   <li>{@code implementation: java:NAME} runs the {@link SkillImplementation} of that name;</li>
 *   <li>a router with {@code route:} rules picks a child by the first matching rule (else the default) and runs it;</li>
 *   <li>{@code steps:} run in order: tool steps (their images replace the task images for later steps, their
 *       output fills {@code {tool:NAME}}), one model step (the rendered template and the current images go to the
 *       chosen model) and an optional answer step ({@code answer: tool:NAME} or {@code answer: model});</li>
 *   <li>a skill with none of these is run exactly as {@link PromptSkillRunner} runs it.</li>
 * </ul>
 * The reply's text lists every step ({@code [zoom] ...}, {@code [ocr] ...}, {@code [model] ...}); its latency is
 * tool time plus model time; its cost and usage are the model's only (tools are local programs).
 */
public final class WorkflowSkillRunner implements SkillRunner {
    /** Routers may dispatch to routers only through validated children; this guards code-built registries. */
    private static final int MAX_ROUTE_DEPTH = 4;

    private final Tools tools;
    private final ExpertRequest.Sampling sampling;
    private final Map<String, SkillImplementation> implementations;
    private final Optional<Registry> registry;
    private final PromptSkillRunner prompt;
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();
    /** Results of earlier tool runs; empty map when memoisation is off. */
    private final Map<ToolKey, ToolResult> memo;
    private final int memoSize;

    /** What a deterministic tool's result depends on (see {@link Tool#deterministic()}). */
    private record ToolKey(String tool, List<Path> images, String argument, String question, Map<String, Object> arguments) {
    }

    private WorkflowSkillRunner(Builder b) {
        this.tools = b.tools;
        this.sampling = b.sampling;
        this.registry = b.registry;
        this.prompt = new PromptSkillRunner(b.sampling);
        this.memoSize = b.memoSize;
        this.memo = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ToolKey, ToolResult> eldest) {
                return size() > memoSize;
            }
        });
        Map<String, SkillImplementation> impls = new LinkedHashMap<>();
        List<SkillImplementation> found = new ArrayList<>(b.implementations);
        if (b.serviceLoader) {
            ServiceLoader.load(SkillImplementation.class, WorkflowSkillRunner.class.getClassLoader()).forEach(found::add);
        }
        for (SkillImplementation i : found) {
            impls.putIfAbsent(i.name(), i); // explicitly given implementations win over discovered ones
        }
        this.implementations = Map.copyOf(impls);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Default tools, ServiceLoader implementations, default sampling, children looked up in {@code registry}. */
    public static WorkflowSkillRunner forRegistry(Registry registry) {
        return builder().registry(registry).build();
    }

    public Tools tools() { return tools; }

    /** Names of the Java implementations this runner can run. */
    public List<String> implementationNames() {
        return List.copyOf(new TreeSet<>(implementations.keySet()));
    }

    /**
     * Checks that every skill of the registry can run here: its steps name tools this runner has, its
     * implementation exists, and its route leads to known skills. Returns the problems (empty = fine).
     */
    public List<String> problems(Registry r) {
        List<String> out = new ArrayList<>();
        for (SkillCard s : r.skills()) {
            String where = "skill '" + s.name() + "'" + s.source().map(p -> " (" + p + ")").orElse("");
            for (SkillWorkflow.Step st : s.workflow().steps()) {
                if ((st.kind() == SkillWorkflow.Kind.TOOL) && tools.find(st.target()).isEmpty()) {
                    out.add(where + ": step '" + st.describe() + "' names unknown tool '" + st.target()
                            + "'; valid tools: " + String.join(", ", tools.names()));
                }
            }
            s.workflow().implementation().ifPresent(n -> {
                if (!implementations.containsKey(n)) {
                    out.add(where + ": implementation 'java:" + n + "' is not on the class path; available: "
                            + (implementations.isEmpty() ? "(none)" : String.join(", ", implementationNames()))
                            + " (list the class in META-INF/services/" + SkillImplementation.class.getName() + ")");
                }
            });
            List<String> targets = new ArrayList<>();
            s.workflow().route().forEach(rule -> targets.add(rule.skill()));
            s.workflow().routeDefault().ifPresent(targets::add);
            for (String t : targets) {
                if (r.skill(t).isEmpty()) {
                    out.add(where + ": route target '" + t + "' does not exist; skills: " + r.skillNames());
                }
            }
        }
        return out;
    }

    /** {@link #problems} as an exception naming every problem. */
    public WorkflowSkillRunner validate(Registry r) {
        return validate(r, List.of());
    }

    /**
     * {@link #problems} and the errors among {@code external} (what a {@link dev.maestro.skill.tool.ToolProvider}
     * found connecting the registry's MCP servers) as an exception naming every problem.
     */
    public WorkflowSkillRunner validate(Registry r, List<RegistryProblem> external) {
        List<String> p = new ArrayList<>();
        external.stream().filter(RegistryProblem::isError).forEach(x -> p.add(x.toString()));
        p.addAll(problems(r));
        if (!p.isEmpty()) {
            throw new MaestroException("registry '" + r.name() + "' has skills this runtime cannot run:\n  "
                    + String.join("\n  ", p));
        }
        return this;
    }

    @Override
    public ExpertReply run(Task task, ModelCard model, SkillCard skill, String input, Expert expert) {
        return run(task, model, skill, input, expert, 0);
    }

    private ExpertReply run(Task task, ModelCard model, SkillCard skill, String input, Expert expert, int depth) {
        SkillWorkflow w = skill.workflow();
        if (w.implementation().isPresent()) {
            return runImplementation(task, model, skill, input, expert, w.implementation().get());
        }
        if (!w.route().isEmpty() || w.routeDefault().isPresent()) {
            return route(task, model, skill, input, expert, depth);
        }
        if (w.steps().isEmpty()) {
            return prompt.run(task, model, skill, input, expert);
        }
        return runSteps(task, model, skill, input, expert);
    }

    private ExpertReply runImplementation(Task task, ModelCard model, SkillCard skill, String input, Expert expert,
                                          String name) {
        SkillImplementation impl = implementations.get(name);
        if (impl == null) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "skill '" + skill.name()
                    + "' names implementation 'java:" + name + "', which is not on the class path; available: "
                    + String.join(", ", implementationNames())), 0);
        }
        long t0 = System.nanoTime();
        try {
            return impl.run(new SkillContext(task, model, skill, input, expert, tools, sampling));
        } catch (RuntimeException e) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.TOOL, "implementation 'java:" + name
                    + "' failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()), (System.nanoTime() - t0) / 1e6);
        }
    }

    /** The child a router's rules choose for this task and input, with the reason. */
    public Optional<Routed> choose(Task task, SkillCard router, String input) {
        SkillWorkflow w = router.workflow();
        String question = task.questionFor(router.name());
        for (int i = 0; i < w.route().size(); i++) {
            SkillWorkflow.RouteRule rule = w.route().get(i);
            Pattern p = patterns.computeIfAbsent(rule.regex(), Pattern::compile);
            if (p.matcher(rule.field().equals("input") ? input : question).find()) {
                return Optional.of(new Routed(rule.skill(), "rule " + (i + 1) + ": " + rule.field() + " matches /"
                        + rule.regex() + "/"));
            }
        }
        return w.routeDefault().map(d -> new Routed(d, "default"));
    }

    /** A routing decision: the child skill and why it was chosen. */
    public record Routed(String skill, String reason) {
    }

    private ExpertReply route(Task task, ModelCard model, SkillCard router, String input, Expert expert, int depth) {
        if (depth >= MAX_ROUTE_DEPTH) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "routing deeper than "
                    + MAX_ROUTE_DEPTH + " levels at skill '" + router.name() + "'"), 0);
        }
        Optional<Routed> routed = choose(task, router, input);
        if (routed.isEmpty()) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "router '" + router.name()
                    + "': no rule matched and there is no default; children: " + router.children()), 0);
        }
        Optional<SkillCard> child = registry.flatMap(r -> r.skill(routed.get().skill()));
        if (child.isEmpty()) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "router '" + router.name()
                    + "' chose '" + routed.get().skill() + "', but " + (registry.isEmpty()
                    ? "this runner has no registry to find it in (build it with WorkflowSkillRunner.forRegistry)"
                    : "the registry has no such skill; skills: " + registry.get().skillNames())), 0);
        }
        ExpertReply r = run(task, model, child.get(), input, expert, depth + 1);
        String head = "[route] " + router.name() + " -> " + child.get().name() + " (" + routed.get().reason() + ")";
        return new ExpertReply(Optional.of(head + r.text().map(t -> "\n" + t).orElse("")), r.answer(), r.recordedCorrect(),
                r.usage(), r.costUsd(), r.latencyMs(), r.error(), r.simulated(), r.fallback());
    }

    private ExpertReply runSteps(Task task, ModelCard model, SkillCard skill, String input, Expert expert) {
        List<Path> images = task.images();
        Map<String, String> outputs = new LinkedHashMap<>();
        Map<String, ToolResult> results = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder();
        double toolMs = 0;
        Optional<ExpertReply> modelReply = Optional.empty();
        String question = task.questionFor(skill.name());
        for (SkillWorkflow.Step step : skill.workflow().steps()) {
            switch (step.kind()) {
                case TOOL -> {
                    Optional<Tool> tool = tools.find(step.target());
                    if (tool.isEmpty()) {
                        return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "skill '"
                                + skill.name() + "' step '" + step.describe() + "': unknown tool '" + step.target()
                                + "'; valid tools: " + String.join(", ", tools.names())), toolMs);
                    }
                    if (tool.get().readsImages() && images.isEmpty()) {
                        line(text, step.target(), "skipped: the task has no image");
                        continue;
                    }
                    String arg = PromptTemplate.render(step.argument(), task, skill.name(), input, outputs);
                    Map<String, Object> named = renderArguments(step.arguments(), task, skill.name(), input, outputs);
                    ToolResult r = runTool(tool.get(), new ToolInput(images, arg, question, named));
                    toolMs += r.millis();
                    results.put(step.target(), r);
                    if (r.ok()) {
                        outputs.put(step.target(), r.text().or(r::answer).orElse(""));
                        if (!r.images().isEmpty()) {
                            images = r.images();
                        }
                    } else {
                        outputs.put(step.target(), "(" + step.target() + " failed: " + r.error().orElse("") + ")");
                    }
                    line(text, step.target(), r.observation());
                }
                case MODEL -> {
                    String prompt = PromptTemplate.render(skill.template(), task, skill.name(), input, outputs);
                    ExpertReply r = expert.call(ExpertRequests.of(task, model, skill, prompt, images, sampling));
                    if (r.ok() && r.answer().isEmpty() && r.text().isPresent()) {
                        r = r.withAnswer(AnswerExtractor.extract(r.text().get(), task));
                    }
                    modelReply = Optional.of(r);
                    line(text, "model", r.text().orElse(r.error().map(e -> "error: " + e.message()).orElse("")));
                }
                case ANSWER -> {
                    if (step.target().equals("model")) {
                        continue; // the model's answer is the default
                    }
                    ToolResult r = results.get(step.target());
                    Optional<String> ans = r == null ? Optional.empty()
                            : r.answer().or(() -> r.text().map(String::strip).filter(t -> !t.isEmpty()));
                    if (r == null || !r.ok() || ans.isEmpty()) {
                        String why = r == null ? "the tool did not run (" + (images.isEmpty() ? "the task has no image"
                                : "no earlier step") + ")" : r.error().orElse("the tool gave no answer");
                        return new ExpertReply(Optional.of(text.toString().strip()), Optional.empty(), Optional.empty(),
                                modelReply.map(ExpertReply::usage).orElse(Usage.NONE),
                                modelReply.map(ExpertReply::costUsd).orElse(0.0),
                                toolMs + modelReply.map(ExpertReply::latencyMs).orElse(0.0),
                                Optional.of(ExpertError.of(ExpertError.Kind.TOOL, step.target() + ": " + why)),
                                modelReply.map(ExpertReply::simulated).orElse(false),
                                modelReply.flatMap(ExpertReply::fallback));
                    }
                    return new ExpertReply(Optional.of(text.toString().strip()), ans, Optional.empty(),
                            modelReply.map(ExpertReply::usage).orElse(Usage.NONE),
                            modelReply.map(ExpertReply::costUsd).orElse(0.0),
                            toolMs + modelReply.map(ExpertReply::latencyMs).orElse(0.0), Optional.empty(),
                            modelReply.map(ExpertReply::simulated).orElse(false), modelReply.flatMap(ExpertReply::fallback));
                }
            }
        }
        if (modelReply.isEmpty()) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "skill '" + skill.name()
                    + "' has steps but no model step and no answer step"), toolMs);
        }
        ExpertReply r = modelReply.get();
        return new ExpertReply(Optional.of(text.toString().strip()), r.answer(), r.recordedCorrect(), r.usage(), r.costUsd(),
                r.latencyMs() + toolMs, r.error(), r.simulated(), r.fallback());
    }

    /**
     * Runs a tool, or returns its earlier result for the same images, arguments and question when the tool is
     * deterministic. Training replays each task many times; the images do not change, so neither does such a tool's
     * output. A remembered result keeps the time its first run took, so the reported latency stays what computing it
     * costs.
     */
    private ToolResult runTool(Tool tool, ToolInput in) {
        if (memoSize == 0 || !tool.deterministic()) {
            return tool.run(in);
        }
        ToolKey key = new ToolKey(tool.name(), in.images(), in.argument(), in.question(), in.arguments());
        ToolResult known = memo.get(key);
        if (known != null) {
            return known;
        }
        ToolResult r = tool.run(in);
        if (r.ok()) {
            memo.put(key, r); // failures may be transient (a missing program installed meanwhile): never remembered
        }
        return r;
    }

    /** The {@code arguments:} of a step with every string rendered as a template (numbers, booleans kept). */
    private static Map<String, Object> renderArguments(Map<String, Object> args, Task task, String skill, String input,
                                                       Map<String, String> outputs) {
        if (args.isEmpty()) {
            return args;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        args.forEach((k, v) -> out.put(k, renderValue(v, task, skill, input, outputs)));
        return out;
    }

    private static Object renderValue(Object v, Task task, String skill, String input, Map<String, String> outputs) {
        if (v instanceof String t) {
            return PromptTemplate.render(t, task, skill, input, outputs);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), renderValue(x, task, skill, input, outputs)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(renderValue(x, task, skill, input, outputs)));
            return out;
        }
        return v;
    }

    private static void line(StringBuilder sb, String step, String what) {
        sb.append('[').append(step).append("] ").append(what.strip()).append('\n');
    }

    /** Builder: tools, sampling, extra implementations, the registry routers find their children in. */
    public static final class Builder {
        private Tools tools = Tools.defaults();
        private ExpertRequest.Sampling sampling = ExpertRequest.Sampling.DEFAULT;
        private final List<SkillImplementation> implementations = new ArrayList<>();
        private boolean serviceLoader = true;
        private Optional<Registry> registry = Optional.empty();
        private int memoSize = 10_000;

        private Builder() {
        }

        /**
         * How many tool results to remember (least recently used are dropped; default 10,000; 0 = run every
         * tool every time). Turn it off for tools that are not deterministic.
         */
        public Builder memoizeTools(int entries) {
            if (entries < 0) {
                throw new MaestroException("memoizeTools: entries must be >= 0, got " + entries);
            }
            this.memoSize = entries;
            return this;
        }

        public Builder tools(Tools v) { this.tools = Objects.requireNonNull(v); return this; }
        public Builder sampling(ExpertRequest.Sampling v) { this.sampling = Objects.requireNonNull(v); return this; }
        /** Adds an implementation (wins over a ServiceLoader one of the same name). */
        public Builder implementation(SkillImplementation v) { implementations.add(Objects.requireNonNull(v)); return this; }
        /** Whether to discover implementations with ServiceLoader (default true). */
        public Builder serviceLoader(boolean v) { this.serviceLoader = v; return this; }
        public Builder registry(Registry v) { this.registry = Optional.of(v); return this; }

        public WorkflowSkillRunner build() {
            return new WorkflowSkillRunner(this);
        }
    }
}
