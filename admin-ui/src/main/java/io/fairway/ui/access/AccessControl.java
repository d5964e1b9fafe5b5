package io.fairway.ui.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Who may read and who may write. Tokens arrive as {@code Authorization: Bearer TOKEN}. A token that is given must be
 * known (a wrong one is refused even where reads are open, so a typo is not mistaken for anonymity); reads need one
 * only when {@link #readsNeedToken()}; writes always need an admin's.
 */
public final class AccessControl {
    /** The outcome of looking at a request's credentials. */
    public sealed interface Check permits Allowed, Denied {
    }

    public record Allowed(Principal principal) implements Check {
    }

    /** @param status 401 (no or unknown token) or 403 (known, but not allowed) */
    public record Denied(int status, String message) implements Check {
    }

    private final Map<String, Principal> tokens;
    private final boolean readsNeedToken;

    private AccessControl(Map<String, Principal> tokens, boolean readsNeedToken) {
        this.tokens = Map.copyOf(tokens);
        this.readsNeedToken = readsNeedToken;
    }

    /** No tokens: anyone reads, nobody writes. */
    public static AccessControl open() {
        return new AccessControl(Map.of(), false);
    }

    public static AccessControl tokens(Map<String, Principal> tokens, boolean readsNeedToken) {
        return new AccessControl(tokens, readsNeedToken);
    }

    public boolean readsNeedToken() {
        return readsNeedToken;
    }

    /** Whether anybody can write: only an admin token can. */
    public boolean writesPossible() {
        return tokens.values().stream().anyMatch(Principal::isAdmin);
    }

    /** @param authorization the request's Authorization header, null when absent */
    public Check read(String authorization) {
        if (authorization == null) {
            return readsNeedToken ? new Denied(401, "this console needs a token to read: send Authorization: Bearer "
                    + "TOKEN (a viewer or admin token from the operator)") : new Allowed(Principal.ANONYMOUS);
        }
        return principal(authorization);
    }

    /** Writes need an admin. */
    public Check write(String authorization) {
        if (authorization == null) {
            return new Denied(401, writesPossible() ? "writes need an admin token: send Authorization: Bearer TOKEN"
                    : "writes are off: this console has no admin token configured (console.tokens)");
        }
        Check c = principal(authorization);
        if (c instanceof Allowed a && !a.principal().isAdmin()) {
            return new Denied(403, "user " + a.principal().user() + " is a " + a.principal().role().label()
                    + "; writes need the admin role");
        }
        return c;
    }

    private Check principal(String authorization) {
        String prefix = "Bearer ";
        if (!authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return new Denied(401, "the Authorization header is not a bearer token; send Authorization: Bearer TOKEN");
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        // Compared in constant time, every token, so that timing tells nothing about which prefix matched.
        Principal found = null;
        for (Map.Entry<String, Principal> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return found == null ? new Denied(401, "the bearer token is not known to this console; check it, or ask the "
                + "operator for one") : new Allowed(found);
    }
}
