package io.fairway.core.events;

/**
 * An operator changed something through the console: who, with which role, what and on what. Written to the log by
 * the replica that served the request, after the change was made, so that the log answers "who changed this" for
 * every write.
 *
 * @param action what was done, e.g. {@value #CONFIG_APPLY}
 * @param target what it was done to; for a config apply the ConfigMap's new resourceVersion
 * @param detail free text for the audit, e.g. the version the operator edited
 */
public record AdminAction(long time, String user, String role, String action, String target, String detail)
        implements Observation {
    /** The queue config was replaced; {@code target} is the ConfigMap's resourceVersion the write produced. */
    public static final String CONFIG_APPLY = "config.apply";

    @Override
    public Source source() {
        return Source.OPERATOR;
    }
}
