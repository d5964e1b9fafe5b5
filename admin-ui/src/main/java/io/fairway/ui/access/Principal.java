package io.fairway.ui.access;

/** Who made a request, as far as the console knows. */
public record Principal(String user, Role role) {
    public static final Principal ANONYMOUS = new Principal("anonymous", Role.ANONYMOUS);

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
