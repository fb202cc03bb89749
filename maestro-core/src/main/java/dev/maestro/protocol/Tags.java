package dev.maestro.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * Recognises protocol tags. The parser ({@link #strict}) and the observation escaper
 * ({@link #loose}) share this class on purpose: escaping is safe only if every tag the parser
 * would accept is also one the escaper neutralises, and keeping both rules side by side makes
 * that inclusion checkable by eye (and by the property tests).
 *
 * <p>Names match ASCII case-insensitively only. {@link String#regionMatches(boolean, int, String, int, int)}
 * would also fold characters such as U+017F (long s) or U+0131 (dotless i) onto ASCII letters; a
 * hand-written ASCII fold keeps the parser and escaper agreeing without reasoning about Unicode case rules.
 */
final class Tags {

    /** The protocol's tag names. */
    enum Name {
        SEARCH, ANSWER, INFORMATION, THINK;

        final String text = name().toLowerCase(Locale.ROOT);

        String open() {
            return "<" + text + ">";
        }

        String close() {
            return "</" + text + ">";
        }
    }

    private static final Name[] NAMES = Name.values();

    /** A tag found in text: {@code [start, end)} covers it from {@code <} to {@code >} inclusive. */
    record Tag(Name name, boolean closing, int start, int end) {
        String display() {
            return closing ? name.close() : name.open();
        }
    }

    private Tags() {
    }

    /**
     * The tag starting at {@code lt} (where {@code text.charAt(lt) == '<'}) under the parser's rule
     * {@code < ws* /? ws* NAME ws* >}, or empty. Runs in time proportional to the characters it looks at,
     * and it never looks past the next {@code <} (which is not whitespace), so scanning a whole
     * text tag by tag stays linear.
     */
    static Optional<Tag> strict(String text, int lt) {
        int n = text.length();
        int i = skipWhitespace(text, lt + 1, false);
        boolean closing = false;
        if (i < n && text.charAt(i) == '/') {
            closing = true;
            i = skipWhitespace(text, i + 1, false);
        }
        Name name = nameAt(text, i);
        if (name == null) {
            return Optional.empty();
        }
        i = skipWhitespace(text, i + name.text.length(), false);
        if (i < n && text.charAt(i) == '>') {
            return Optional.of(new Tag(name, closing, lt, i + 1));
        }
        return Optional.empty();
    }

    /**
     * Whether the {@code <} at {@code lt} could start something tag-like: {@code < ws* /? ws* NAME}
     * followed by anything but an ASCII letter or digit, with a wider notion of whitespace than
     * {@link #strict}. A superset of {@link #strict}: after the name, strict needs whitespace or
     * {@code >}, neither of which is a letter or digit.
     */
    static boolean loose(String text, int lt) {
        int n = text.length();
        int i = skipWhitespace(text, lt + 1, true);
        if (i < n && text.charAt(i) == '/') {
            i = skipWhitespace(text, i + 1, true);
        }
        Name name = nameAt(text, i);
        if (name == null) {
            return false;
        }
        int after = i + name.text.length();
        return after >= n || !isAsciiLetterOrDigit(text.charAt(after));
    }

    private static int skipWhitespace(String text, int i, boolean wide) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (!(Character.isWhitespace(c) || (wide && Character.isSpaceChar(c)))) {
                break;
            }
            i++;
        }
        return i;
    }

    private static Name nameAt(String text, int i) {
        for (Name name : NAMES) {
            if (asciiMatchIgnoreCase(text, i, name.text)) {
                return name;
            }
        }
        return null;
    }

    /** {@code lowerAscii} is lower-case ASCII letters. */
    private static boolean asciiMatchIgnoreCase(String text, int i, String lowerAscii) {
        int len = lowerAscii.length();
        if (i < 0 || i + len > text.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            char c = text.charAt(i + k);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerAscii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
