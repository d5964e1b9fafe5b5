package io.fairway.chaos.harness;

/**
 * The queues of a chaos run: three tenants, team-c capped low so that it is at its max most of the time, a per-user
 * limit in team-a, and a probe queue the harness uses to time recovery. Two versions of team-c's max alternate, as an
 * operator's config reloads would.
 */
public final class ChaosQueues {
    public static final String PROBE_QUEUE = "root.probe";

    private ChaosQueues() {
    }

    /** The config with team-c's max at {@code teamCCores} cores. */
    public static String yaml(int teamCCores) {
        return """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: default
                          - name: probe
                          - name: tenants
                            properties:
                              application.sort.policy: fifo
                            queues:
                              - name: team-a
                                resources:
                                  guaranteed: {vcore: 60, memory: 240Gi}
                                  max: {vcore: 160, memory: 640Gi, nvidia.com/gpu: 8}
                                limits:
                                  - {limit: per-user, users: ["*"], maxresources: {vcore: 96}}
                              - name: team-b
                                resources:
                                  guaranteed: {vcore: 60, memory: 240Gi}
                              - name: team-c
                                resources:
                                  max: {vcore: %d, memory: %dGi, nvidia.com/gpu: 4}
                """.formatted(teamCCores, teamCCores * 4);
    }
}
