package io.fairway.ui;

import java.util.List;

/** An offset and a limit from the query string, checked: lists can hold tens of thousands of apps. */
record Paging(int offset, int limit) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    static Paging parse(String offset, String limit) {
        return new Paging(number("offset", offset, 0, 0, Integer.MAX_VALUE),
                number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT));
    }

    private static int number(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below with the same message as a number out of range
        }
        throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max + ", got '" + value + "'");
    }

    <T> Page<T> of(List<T> all) {
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + limit);
        return new Page<>(all.size(), offset, limit, List.copyOf(all.subList(from, to)));
    }
}
