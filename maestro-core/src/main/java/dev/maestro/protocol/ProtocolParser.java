package dev.maestro.protocol;

import dev.maestro.MaestroException;
import dev.maestro.protocol.ProtocolError.Kind;
import dev.maestro.protocol.Tags.Name;
import dev.maestro.protocol.Tags.Tag;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one policy turn written in the paper's text protocol into an {@link Action}.
 *
 * <h2>Grammar</h2>
 * <pre>
 *   turn    := (free text | think | info | search)* [answer] anything
 *   search  := "&lt;search&gt;" MODEL "@@" SKILL ":" INPUT "&lt;/search&gt;"
 *   answer  := "&lt;answer&gt;" TEXT "&lt;/answer&gt;"
 *   think   := "&lt;think&gt;" anything "&lt;/think&gt;"        (skipped, tags inside ignored)
 *   info    := "&lt;information&gt;" anything "&lt;/information&gt;"  (skipped, tags inside ignored)
 * </pre>
 * Tags match ASCII case-insensitively and may hold whitespace ({@code < / Search >}). The search
 * content is split at its first {@code :} into MODEL@@SKILL and INPUT, the former at its first
 * {@code @@}; all three parts are stripped of surrounding whitespace. Several search blocks in one
 * turn are parallel calls.
 *
 * <h2>Search and answer in one turn</h2>
 * The earliest complete action wins, as if generation had stopped there: if the first action block
 * is an answer, the turn is that answer and the rest of the text is ignored; if it is a search, the
 * turn is every search block up to the first {@code <answer>} tag, and the answer and everything
 * after it are ignored (the policy answers again once it has seen the results). With
 * {@link MixedActions#REJECT} such a turn is malformed instead ({@link Kind#SEARCH_AND_ANSWER}).
 * Structural errors (unclosed or nested tags) inside the part of the turn that is read make the
 * whole turn malformed; so does any invalid call: a turn is executed whole or not at all.
 *
 * <h2>Guarantees</h2>
 * {@link #parse} never throws, runs in time linear in the text (a hand-written scanner, no
 * regular expressions) and refuses texts longer than {@link #maxTextChars()} outright.
 * Instances are immutable and thread-safe.
 */
public final class ProtocolParser {

    /** What to do when one turn holds both searches and an answer. */
    public enum MixedActions {
        /** The earliest complete action wins (default; see the class comment). */
        EARLIEST_WINS,
        /** The turn is malformed ({@link Kind#SEARCH_AND_ANSWER}). */
        REJECT
    }

    public static final int DEFAULT_MAX_INPUT_CHARS = 4_000;
    public static final int DEFAULT_MAX_CALLS = 4;
    public static final int DEFAULT_MAX_TEXT_CHARS = 1_000_000;

    /** How many names an error message lists before it says "and N more". */
    static final int LISTED_NAMES = 12;
    /** How much of an offending fragment an error message quotes. */
    private static final int QUOTED_CHARS = 60;
    /** How much of an over-long text a {@link Action.Malformed} keeps as its {@code raw}. */
    static final int KEPT_RAW_CHARS = 2_000;

    private final Optional<Registry> registry;
    private final int maxInputChars;
    private final int maxCalls;
    private final int maxTextChars;
    private final MixedActions mixedActions;

    private ProtocolParser(Builder b) {
        this.registry = b.registry;
        this.maxInputChars = b.maxInputChars;
        this.maxCalls = b.maxCalls;
        this.maxTextChars = b.maxTextChars;
        this.mixedActions = b.mixedActions;
    }

    /** A parser with default limits and no registry (names are not checked). */
    public static ProtocolParser create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder newBuilder() {
        Builder b = new Builder();
        b.registry = registry;
        b.maxInputChars = maxInputChars;
        b.maxCalls = maxCalls;
        b.maxTextChars = maxTextChars;
        b.mixedActions = mixedActions;
        return b;
    }

    public Optional<Registry> registry() { return registry; }
    public int maxInputChars() { return maxInputChars; }
    public int maxCalls() { return maxCalls; }
    public int maxTextChars() { return maxTextChars; }
    public MixedActions mixedActions() { return mixedActions; }

    /**
     * Parses one turn. Never throws: anything that is not a valid action, including {@code null},
     * comes back as {@link Action.Malformed} with at least one typed error.
     */
    public Action parse(String text) {
        if (text == null) {
            return new Action.Malformed("", List.of(new ProtocolError(Kind.NO_ACTION,
                    "no text was given; " + howToAct())));
        }
        if (text.length() > maxTextChars) {
            String kept = text.substring(0, KEPT_RAW_CHARS) + "…[" + (text.length() - KEPT_RAW_CHARS) + " more chars]";
            return new Action.Malformed(kept, List.of(new ProtocolError(Kind.TEXT_TOO_LONG,
                    "the turn has " + text.length() + " characters, more than the " + maxTextChars
                            + " allowed; write one short action")));
        }
        return new Scan(text).run();
    }

    /** One pass over one text. */
    private final class Scan {
        private final String text;
        private final List<int[]> searches = new ArrayList<>(); // {contentStart, contentEnd}
        private int[] answer; // {contentStart, contentEnd}
        private final List<ProtocolError> structural = new ArrayList<>();
        private boolean conflict;
        private Tag strayClose;

        Scan(String text) {
            this.text = text;
        }

        Action run() {
            scan();
            List<ProtocolError> errors = new ArrayList<>(structural);
            if (answer != null && structural.isEmpty()) {
                String body = text.substring(answer[0], answer[1]).strip();
                if (conflict) {
                    errors.add(conflictError());
                } else if (body.isEmpty()) {
                    errors.add(new ProtocolError(Kind.EMPTY_ANSWER,
                            "the <answer> block is empty; write <answer> TEXT </answer>"));
                } else {
                    return Action.Answer.of(body);
                }
                return new Action.Malformed(text, errors);
            }
            if (!searches.isEmpty()) {
                if (conflict) {
                    errors.add(conflictError());
                }
                if (searches.size() > maxCalls) {
                    errors.add(new ProtocolError(Kind.TOO_MANY_CALLS, "the turn has " + searches.size()
                            + " <search> blocks, at most " + maxCalls + " are allowed in one turn"));
                }
                List<Call> calls = new ArrayList<>();
                int checked = Math.min(searches.size(), maxCalls);
                for (int k = 0; k < checked; k++) {
                    int[] s = searches.get(k);
                    readCall(text.substring(s[0], s[1]), calls, errors);
                }
                if (errors.isEmpty()) {
                    return new Action.Search(calls);
                }
                return new Action.Malformed(text, errors);
            }
            if (errors.isEmpty()) {
                String hint = strayClose == null ? ""
                        : "found " + strayClose.display() + " without a matching " + strayClose.name().open() + "; ";
                errors.add(new ProtocolError(Kind.NO_ACTION, "no complete action in the turn; " + hint + howToAct()));
            }
            return new Action.Malformed(text, errors);
        }

        private ProtocolError conflictError() {
            return new ProtocolError(Kind.SEARCH_AND_ANSWER,
                    "the turn holds both <search> and <answer>; either call experts or answer, not both");
        }

        private void scan() {
            int pos = 0;
            while (true) {
                Tag t = nextTag(pos);
                if (t == null) {
                    return;
                }
                if (t.closing()) {
                    if (strayClose == null) {
                        strayClose = t;
                    }
                    pos = t.end();
                    continue;
                }
                switch (t.name()) {
                    case THINK, INFORMATION -> {
                        Tag close = nextClose(t.end(), t.name());
                        if (close == null) {
                            structural.add(new ProtocolError(Kind.UNCLOSED_TAG, t.display() + " at character "
                                    + t.start() + " is never closed; write " + t.name().close() + " before the action"));
                            return;
                        }
                        pos = close.end();
                    }
                    case ANSWER -> {
                        if (!searches.isEmpty()) {
                            // Earliest action wins: the searches came first, the answer is cut off.
                            conflict = mixedActions == MixedActions.REJECT;
                            return;
                        }
                        int[] block = block(t);
                        if (block != null) {
                            answer = block;
                            if (mixedActions == MixedActions.REJECT) {
                                conflict = nextOpen(t.end(), Name.SEARCH) != null;
                            }
                        }
                        return;
                    }
                    case SEARCH -> {
                        int[] block = block(t);
                        if (block == null) {
                            return;
                        }
                        searches.add(block);
                        pos = block[2];
                    }
                    default -> throw new IllegalStateException("unreachable: " + t);
                }
            }
        }

        /** The content of the block opened by {@code open}: {contentStart, contentEnd, blockEnd}, or null after an error. */
        private int[] block(Tag open) {
            Tag next = nextTag(open.end());
            if (next == null) {
                structural.add(new ProtocolError(Kind.UNCLOSED_TAG, open.display() + " at character " + open.start()
                        + " is never closed; write " + open.name().open() + " … " + open.name().close()));
                return null;
            }
            if (next.closing() && next.name() == open.name()) {
                return new int[] {open.end(), next.start(), next.end()};
            }
            structural.add(new ProtocolError(Kind.NESTED_TAG, "found " + next.display() + " at character "
                    + next.start() + " inside " + open.display() + "; close it with " + open.name().close()
                    + " first (tags do not nest)"));
            return null;
        }

        private Tag nextTag(int from) {
            int i = text.indexOf('<', from);
            while (i >= 0) {
                Optional<Tag> t = Tags.strict(text, i);
                if (t.isPresent()) {
                    return t.get();
                }
                i = text.indexOf('<', i + 1);
            }
            return null;
        }

        private Tag nextClose(int from, Name name) {
            Tag t = nextTag(from);
            while (t != null && !(t.closing() && t.name() == name)) {
                t = nextTag(t.end());
            }
            return t;
        }

        private Tag nextOpen(int from, Name name) {
            Tag t = nextTag(from);
            while (t != null && !(!t.closing() && t.name() == name)) {
                t = nextTag(t.end());
            }
            return t;
        }
    }

    /** Reads {@code MODEL@@SKILL: INPUT}; adds a call or errors. */
    private void readCall(String content, List<Call> calls, List<ProtocolError> errors) {
        int before = errors.size();
        int colon = content.indexOf(':');
        String head = colon >= 0 ? content.substring(0, colon) : content;
        int at = head.indexOf("@@");
        String shown = quote(content);
        if (at < 0) {
            errors.add(new ProtocolError(Kind.MISSING_SEPARATOR, "no '@@' between model and skill in <search>"
                    + shown + "</search>; write <search> MODEL@@SKILL: INPUT </search>"));
        }
        if (colon < 0) {
            errors.add(new ProtocolError(Kind.MISSING_COLON, "no ':' after MODEL@@SKILL in <search>"
                    + shown + "</search>; write <search> MODEL@@SKILL: INPUT </search>"));
        }
        // registry ids are stored in NFC, so a name written in another Unicode form still finds its model or skill
        String model = at >= 0 ? Normalizer.normalize(head.substring(0, at).strip(), Normalizer.Form.NFC) : "";
        String skill = at >= 0 ? Normalizer.normalize(head.substring(at + 2).strip(), Normalizer.Form.NFC) : "";
        String input = colon >= 0 ? content.substring(colon + 1).strip() : "";
        if (at >= 0 && model.isEmpty()) {
            errors.add(new ProtocolError(Kind.EMPTY_MODEL, "the model name is empty in <search>" + shown
                    + "</search>" + registry.map(r -> "; valid models: " + listed(r.modelIds())).orElse("")));
        }
        if (at >= 0 && skill.isEmpty()) {
            errors.add(new ProtocolError(Kind.EMPTY_SKILL, "the skill name is empty in <search>" + shown
                    + "</search>" + registry.map(r -> "; valid skills: " + listed(callableSkills(r))).orElse("")));
        }
        if (colon >= 0 && input.isEmpty()) {
            errors.add(new ProtocolError(Kind.EMPTY_INPUT, "the input after ':' is empty in <search>" + shown
                    + "</search>; say what the expert should do"));
        }
        if (input.length() > maxInputChars) {
            errors.add(new ProtocolError(Kind.INPUT_TOO_LONG, "the input has " + input.length()
                    + " characters, at most " + maxInputChars + " are allowed"));
        }
        // Names are only checked when the call is otherwise readable: without ':' the skill part is undefined.
        if (at >= 0 && colon >= 0 && !model.isEmpty() && !skill.isEmpty() && registry.isPresent()) {
            Registry r = registry.get();
            Optional<ModelCard> m = r.modelIgnoreCase(model);
            Optional<SkillCard> s = r.skillIgnoreCase(skill);
            if (m.isEmpty()) {
                errors.add(new ProtocolError(Kind.UNKNOWN_MODEL, "unknown model " + quote(model)
                        + "; valid models: " + listed(r.modelIds())));
            }
            if (s.isEmpty()) {
                errors.add(new ProtocolError(Kind.UNKNOWN_SKILL, "unknown skill " + quote(skill)
                        + "; valid skills: " + listed(callableSkills(r))));
            }
            if (m.isPresent() && s.isPresent()) {
                model = m.get().id();
                skill = s.get().name();
                if (!r.hasPair(new Pair(model, skill))) {
                    String why = s.get().level() != 1
                            ? " (" + skill + " is a level-2 skill, reached through a level-1 router)"
                            : "";
                    errors.add(new ProtocolError(Kind.PAIR_NOT_ALLOWED, "model '" + model
                            + "' cannot be called with skill '" + skill + "'" + why + "; skills for " + model + ": "
                            + listed(skillsOf(r, model))));
                }
            }
        }
        if (errors.size() == before) {
            calls.add(new Call(model, skill, input));
        }
    }

    private String howToAct() {
        String pairs = registry.map(r -> "; callable pairs: "
                + listed(r.pairs().stream().map(Pair::id).toList())).orElse("");
        return "write <search> MODEL@@SKILL: INPUT </search> to call an expert or <answer> TEXT </answer> to answer"
                + pairs;
    }

    private static Set<String> callableSkills(Registry r) {
        Set<String> out = new LinkedHashSet<>();
        r.pairs().forEach(p -> out.add(p.skill()));
        return out;
    }

    private static List<String> skillsOf(Registry r, String model) {
        return r.pairs().stream().filter(p -> p.model().equals(model)).map(Pair::skill).toList();
    }

    /** Names joined with ", ", cut after {@link #LISTED_NAMES} so a large registry keeps messages short. */
    static String listed(Collection<String> names) {
        if (names.isEmpty()) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        int k = 0;
        for (String n : names) {
            if (k == LISTED_NAMES) {
                sb.append(" … and ").append(names.size() - LISTED_NAMES).append(" more");
                break;
            }
            if (k > 0) {
                sb.append(", ");
            }
            sb.append(n);
            k++;
        }
        return sb.toString();
    }

    private static String quote(String s) {
        String t = s.length() > QUOTED_CHARS ? s.substring(0, QUOTED_CHARS) + "…" : s;
        return "'" + t + "'";
    }

    /** Options for {@link ProtocolParser}. */
    public static final class Builder {
        private Optional<Registry> registry = Optional.empty();
        private int maxInputChars = DEFAULT_MAX_INPUT_CHARS;
        private int maxCalls = DEFAULT_MAX_CALLS;
        private int maxTextChars = DEFAULT_MAX_TEXT_CHARS;
        private MixedActions mixedActions = MixedActions.EARLIEST_WINS;

        private Builder() {
        }

        /** Check model and skill names against this registry and map them to its canonical ids. */
        public Builder registry(Registry registry) {
            this.registry = Optional.of(Objects.requireNonNull(registry, "registry"));
            return this;
        }

        /** Longest call input in characters (default 4,000). */
        public Builder maxInputChars(int v) {
            this.maxInputChars = positive("maxInputChars", v);
            return this;
        }

        /** Most parallel calls in one turn (default 4). */
        public Builder maxCalls(int v) {
            this.maxCalls = positive("maxCalls", v);
            return this;
        }

        /** Longest turn text in characters (default 1,000,000); longer ones are refused unread. */
        public Builder maxTextChars(int v) {
            if (v < KEPT_RAW_CHARS) {
                throw new MaestroException("maxTextChars must be at least " + KEPT_RAW_CHARS + ", got " + v);
            }
            this.maxTextChars = v;
            return this;
        }

        public Builder mixedActions(MixedActions v) {
            this.mixedActions = Objects.requireNonNull(v, "mixedActions");
            return this;
        }

        public ProtocolParser build() {
            return new ProtocolParser(this);
        }

        private static int positive(String field, int v) {
            if (v < 1) {
                throw new MaestroException(field + " must be at least 1, got " + v);
            }
            return v;
        }
    }
}
