package dev.keyless.aws.internal.trust;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a duplicate key in a JSON text that is otherwise valid. The JSON reader keeps only the last of duplicate
 * keys in nested objects, which would silently drop, say, one of two {@code "StringEquals"} blocks; this scan lets
 * the parser refuse instead. Keys are compared as written (an escaped spelling of the same key is not caught).
 */
final class DuplicateKeys {
    private DuplicateKeys() {
    }

    /** The duplicate, as a path such as {@code Statement[0].Condition.StringEquals}, if any. */
    static Optional<String> find(String json) {
        Deque<Frame> stack = new ArrayDeque<>();
        boolean expectKey = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '{' -> {
                    stack.push(new Frame(path(stack), true));
                    expectKey = true;
                }
                case '[' -> {
                    stack.push(new Frame(path(stack), false));
                    expectKey = false;
                }
                case '}', ']' -> {
                    if (!stack.isEmpty()) {
                        stack.pop();
                    }
                    expectKey = false;
                }
                case ',' -> {
                    Frame top = stack.peek();
                    if (top != null && !top.object) {
                        top.index++;
                    }
                    expectKey = top != null && top.object;
                }
                case ':' -> expectKey = false;
                case '"' -> {
                    int end = i + 1;
                    while (end < json.length() && json.charAt(end) != '"') {
                        end += json.charAt(end) == '\\' ? 2 : 1;
                    }
                    String text = json.substring(i + 1, Math.min(end, json.length()));
                    Frame top = stack.peek();
                    if (expectKey && top != null && top.object) {
                        if (!top.keys.add(text)) {
                            return Optional.of(top.path.isEmpty() ? text : top.path + "." + text);
                        }
                        top.current = text;
                    }
                    i = end;
                }
                default -> {
                    // white space, literals and numbers carry no structure
                }
            }
        }
        return Optional.empty();
    }

    private static String path(Deque<Frame> stack) {
        Frame top = stack.peek();
        if (top == null) {
            return "";
        }
        String segment = top.object ? top.current : "[" + top.index + "]";
        if (segment == null) {
            return top.path;
        }
        return top.object && !top.path.isEmpty() ? top.path + "." + segment : top.path + segment;
    }

    private static final class Frame {
        final String path;
        final boolean object;
        final Set<String> keys = new HashSet<>();
        String current;
        int index;

        Frame(String path, boolean object) {
            this.path = path;
            this.object = object;
        }
    }
}
