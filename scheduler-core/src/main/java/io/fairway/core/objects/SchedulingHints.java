package io.fairway.core.objects;

/**
 * What a pod's annotations add to its scheduling beyond the Kubernetes spec: its gang (YuniKorn task groups), the
 * topology domain its app wants, and the FPGA function it needs. Resolved from the annotations by whoever observes
 * the pod ({@link GangAnnotations#hints}), so the log carries the result and every replica reads the same.
 *
 * @param taskGroup    the group the pod belongs to ({@code yunikorn.apache.org/task-group-name}), or empty
 * @param gang         the app's task groups as this pod declares them, or {@link GangSpec#NONE}
 * @param fpgaFunction {@code <interface>.<function>} from {@code fairway.io/fpga-function}, or empty
 * @param noPreemption {@code yunikorn.apache.org/allow-preemption: "false"}: the pod is chosen as a victim only when
 *                     no other will do (written as the opt-out, so that events without it read as preemptible)
 */
public record SchedulingHints(String taskGroup, GangSpec gang, Topology topology, String fpgaFunction,
                              boolean noPreemption) {
    public static final SchedulingHints NONE = new SchedulingHints("", GangSpec.NONE, Topology.NONE, "", false);

    public SchedulingHints {
        taskGroup = taskGroup == null ? "" : taskGroup;
        gang = gang == null ? GangSpec.NONE : gang;
        topology = topology == null ? Topology.NONE : topology;
        fpgaFunction = fpgaFunction == null ? "" : fpgaFunction;
    }

    public SchedulingHints(String taskGroup, GangSpec gang, Topology topology, String fpgaFunction) {
        this(taskGroup, gang, topology, fpgaFunction, false);
    }

    public boolean isNone() {
        return taskGroup.isEmpty() && gang.isNone() && topology.isNone() && fpgaFunction.isEmpty() && !noPreemption;
    }

    /** The FPGA interface of the function ({@code 695} of {@code 695.d84}), or empty. */
    public String fpgaInterface() {
        int dot = fpgaFunction.indexOf('.');
        return dot < 0 ? fpgaFunction : fpgaFunction.substring(0, dot);
    }
}
