package dev.maestro.episode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a policy keeps about one episode, by typed key: the learned policy's decision records (read back by the
 * trainer), the LLM policy's conversation. Each {@link Key} names its value type, so a reader gets values of that
 * type without casting, and a value of another type is refused when it is added.
 *
 * <p>One instance per episode; the episode's thread writes it while the episode runs, and the result hands it out
 * read-only afterwards.
 */
public final class EpisodeNotes {
    /** Notes of an episode that kept none (synthetic results, traces read back from disk). */
    public static final EpisodeNotes NONE = new EpisodeNotes(true);

    private final Map<Key<?>, List<?>> byKey = new LinkedHashMap<>();
    private final boolean frozen;

    /** A typed name for one kind of note. Keys are compared by identity: make each one a constant. */
    public static final class Key<T> {
        private final String name;
        private final Class<T> type;

        private Key(String name, Class<T> type) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
        }

        public static <T> Key<T> of(String name, Class<T> type) {
            return new Key<>(name, type);
        }

        public String name() { return name; }
        public Class<T> type() { return type; }

        @Override
        public String toString() {
            return "Key[" + name + ": " + type.getSimpleName() + "]";
        }
    }

    private EpisodeNotes(boolean frozen) {
        this.frozen = frozen;
    }

    /** Empty notes for a new episode. */
    public static EpisodeNotes create() {
        return new EpisodeNotes(false);
    }

    /** Appends a note. */
    public <T> void add(Key<T> key, T value) {
        list(key).add(key.type().cast(Objects.requireNonNull(value)));
    }

    /** Puts a note first (a policy's one per-episode object, found again with {@link #first}). */
    public <T> void addFirst(Key<T> key, T value) {
        list(key).add(0, key.type().cast(Objects.requireNonNull(value)));
    }

    /** Every note under {@code key}, in the order added (read-only). */
    public <T> List<T> all(Key<T> key) {
        @SuppressWarnings("unchecked") // add() only ever stores values checked against key.type() under key
        List<T> l = (List<T>) byKey.get(key);
        return l == null ? List.of() : Collections.unmodifiableList(l);
    }

    public <T> Optional<T> first(Key<T> key) {
        List<T> l = all(key);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public boolean isEmpty() {
        return byKey.values().stream().allMatch(List::isEmpty);
    }

    private <T> List<T> list(Key<T> key) {
        if (frozen) {
            throw new UnsupportedOperationException("these episode notes are read-only");
        }
        @SuppressWarnings("unchecked") // see all()
        List<T> l = (List<T>) byKey.computeIfAbsent(key, k -> new ArrayList<T>());
        return l;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("EpisodeNotes[");
        byKey.forEach((k, v) -> sb.append(k.name()).append('×').append(v.size()).append(' '));
        return sb.toString().strip() + "]";
    }
}
