package io.fairway.ui.access;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Console tokens as text, one per line: {@code TOKEN,USER,ROLE} with ROLE {@code viewer} or {@code admin}
 * (the shape of Kubernetes' static token file, with the role where it has the uid). Blank lines and lines starting
 * with {@code #} are skipped. The same text serves from a file and from a Secret's key.
 */
public final class TokenFile {
    /** Shorter tokens are refused: a console token guards config writes. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private TokenFile() {
    }

    /**
     * @param source where the text came from, for errors ({@code /etc/fairway/tokens.csv}, {@code secret fairway/console})
     * @throws IllegalArgumentException naming every bad line
     */
    public static Map<String, Principal> parse(String text, String source) {
        Map<String, Principal> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] f = line.split(",", -1);
            if (f.length != 3) {
                problems.add(where + ": want TOKEN,USER,ROLE, found " + f.length + " field(s)");
                continue;
            }
            String token = f[0].strip();
            String user = f[1].strip();
            String role = f[2].strip().toLowerCase(Locale.ROOT);
            if (token.length() < MIN_TOKEN_LENGTH) {
                problems.add(where + ": the token of user " + user + " is " + token.length() + " characters, want at least "
                        + MIN_TOKEN_LENGTH + " (e.g. openssl rand -hex 24)");
            } else if (user.isEmpty()) {
                problems.add(where + ": the user is empty");
            } else if (!role.equals("viewer") && !role.equals("admin")) {
                problems.add(where + ": role of user " + user + " is '" + f[2].strip() + "', want viewer or admin");
            } else if (out.containsKey(token)) {
                problems.add(where + ": the token of user " + user + " is already given to " + out.get(token).user());
            } else {
                out.put(token, new Principal(user, role.equals("admin") ? Role.ADMIN : Role.VIEWER));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("console tokens in " + source + " are invalid: "
                    + String.join("; ", problems));
        }
        return Map.copyOf(out);
    }
}
