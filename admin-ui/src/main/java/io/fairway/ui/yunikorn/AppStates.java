package io.fairway.ui.yunikorn;

import io.fairway.core.state.AppState;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Fairway's app states under YuniKorn's names, and YuniKorn's three lists of apps. Fairway's states are a subset of
 * YuniKorn's: Accepted (no pod placed yet), Running, Completed, Rejected and Failed (a Hard gang timeout); YuniKorn's
 * passing states (New, Starting, Completing, Failing, Resuming, Expired) never show.
 */
final class AppStates {
    static final String ACTIVE = "active";
    static final String REJECTED = "rejected";
    static final String COMPLETED = "completed";

    /** The states YuniKorn lets {@code ?status=} pick from the active apps, lower case. */
    static final List<String> ACTIVE_STATUSES = List.of("new", "accepted", "running", "completing", "failing",
            "resuming");

    private AppStates() {
    }

    static String name(AppState.Status s) {
        return switch (s) {
            case ACCEPTED -> "Accepted";
            case RUNNING -> "Running";
            case COMPLETED -> "Completed";
            case REJECTED -> "Rejected";
            case FAILED -> "Failed";
        };
    }

    /**
     * Which of YuniKorn's lists an app is in: rejected apps in {@code rejected}, apps that ended (Completed and
     * Failed, which YuniKorn both moves out of its queues) in {@code completed}, the rest {@code active}.
     */
    static String list(AppState.Status s) {
        return switch (s) {
            case REJECTED -> REJECTED;
            case COMPLETED, FAILED -> COMPLETED;
            case ACCEPTED, RUNNING -> ACTIVE;
        };
    }

    /** The list named in the URL, checked: YuniKorn's message on anything else. */
    static String parseList(String state) {
        String s = state.toLowerCase(Locale.ROOT);
        if (!Set.of(ACTIVE, REJECTED, COMPLETED).contains(s)) {
            throw YuniKornException.badRequest("Only following application states are allowed: active, rejected, "
                    + "completed", "no application state '" + state + "'; ask for active, rejected or completed");
        }
        return s;
    }

    /** The {@code ?status=} filter of the active list, lower case, empty for none. */
    static String parseStatus(String status) {
        if (status == null || status.isEmpty()) {
            return "";
        }
        String s = status.toLowerCase(Locale.ROOT);
        if (!ACTIVE_STATUSES.contains(s)) {
            throw YuniKornException.badRequest("Only following active statuses are allowed: "
                    + String.join(",", ACTIVE_STATUSES), "no active status '" + status + "'; use one of "
                    + String.join(", ", ACTIVE_STATUSES));
        }
        return s;
    }
}
