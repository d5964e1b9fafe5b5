package io.fairway.core.objects;

public enum PodPhase {
    Pending, Running, Succeeded, Failed, Unknown;

    /** A pod in a terminal phase no longer uses its node. */
    public boolean isTerminal() {
        return this == Succeeded || this == Failed;
    }
}
