package io.fairway.ui.yunikorn;

/** A request answered with a YuniKorn error body. */
final class YuniKornException extends RuntimeException {
    private final int status;
    private final String description;

    YuniKornException(int status, String message, String description) {
        super(message, null, false, false);
        this.status = status;
        this.description = description;
    }

    static YuniKornException notFound(String message, String description) {
        return new YuniKornException(404, message, description);
    }

    static YuniKornException badRequest(String message, String description) {
        return new YuniKornException(400, message, description);
    }

    YuniKornError body() {
        return new YuniKornError(status, getMessage(), description);
    }

    int status() {
        return status;
    }
}
