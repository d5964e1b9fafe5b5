package io.fairway.sandbox.workload;

import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import java.time.Instant;
import java.util.List;

/**
 * One application the workload submits, with every pod it will ever create.
 *
 * @param kind      its kind
 * @param appId     its id
 * @param name      its name (Spark's app name, the job's name)
 * @param tenant    who submits it
 * @param user      which of the tenant's users
 * @param submitted when (on the planner's clock)
 * @param pods      all its pods: for Spark the driver first, then the executors in order
 */
public record AppPlan(AppKind kind, String appId, String name, Tenant tenant, String user, Instant submitted,
                      List<PodPlan> pods) {

    public AppPlan {
        pods = List.copyOf(pods);
    }

    /** The pods created when the application is submitted: the driver for Spark, every pod otherwise. */
    public List<PodPlan> initialPods() {
        return kind == AppKind.SPARK ? pods.subList(0, 1) : pods;
    }

    /** The Spark executors (empty for other kinds). */
    public List<PodPlan> executors() {
        return kind == AppKind.SPARK ? pods.subList(1, pods.size()) : List.of();
    }
}
