package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.state.LeaderTerm;
import io.fairway.ui.Leadership;
import io.fairway.ui.ReadView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's formatting: what fits a 100-column terminal, and what the replicas line says. */
class DemoBoardTest {
    @Test
    void theClockCountsMinutesAndSecondsThenHours() {
        assertThat(DemoBoard.clock(0)).isEqualTo("[00:00]");
        assertThat(DemoBoard.clock(65)).isEqualTo("[01:05]");
        assertThat(DemoBoard.clock(3 * 3600 + 7 * 60 + 9)).isEqualTo("[3:07:09]");
    }

    @Test
    void theLegendAndTheTableFitAHundredColumns() {
        assertThat(DemoBoard.LEGEND.length()).isLessThanOrEqualTo(DemoBoard.WIDTH);
        List<String> table = DemoBoard.table(List.of(new DemoBoard.Row("root.tenants.team-a", 1, 22, 333),
                new DemoBoard.Row("root.default", 0, 0, 4)));
        assertThat(table).hasSize(3).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(DemoBoard.WIDTH));
        assertThat(table.get(0)).contains("pending").contains("running").contains("completed");
        // the numbers right-aligned under their column
        assertThat(table.get(1).indexOf("333") + 3).isEqualTo(table.get(0).indexOf("completed") + "completed".length());
        assertThat(DemoBoard.table(List.of())).last().isEqualTo("    (no app yet)");
    }

    @Test
    void aLongCommandIsContinuedWithABackslashAndStaysWhole() {
        String cmd = "./fairway explain team-b/spark-0004-exec-1 --data /tmp/fairway-sandbox1615988825986867638/replica-1";
        List<String> lines = DemoBoard.command("a pod's story", cmd);
        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(DemoBoard.WIDTH));
        assertThat(lines.get(0)).startsWith("  a pod's story    ./fairway explain").endsWith(" \\");
        // pasted into a shell, the pieces join back into the command
        String joined = String.join(" ", lines.stream().map(l -> l.replaceAll(" \\\\$", "").strip()).toList())
                .replaceAll(" +", " ");
        assertThat(joined).isEqualTo("a pod's story " + cmd);
        assertThat(DemoBoard.command("replay the log", "./fairway replay --kafka 127.0.0.1:40229"))
                .containsExactly("  replay the log   ./fairway replay --kafka 127.0.0.1:40229");
    }

    @Test
    void wrapBreaksAListBetweenItems() {
        List<String> lines = DemoBoard.wrap("ready in 19.3 s: 200 nodes: 170 cpu, 20 gpu (116 nvidia.com/gpu, 3 NVLink "
                + "cliques), 10 fpga (16 regions, 12 programmed)", DemoBoard.WIDTH, "    ");
        assertThat(lines).containsExactly("ready in 19.3 s: 200 nodes: 170 cpu, 20 gpu (116 nvidia.com/gpu, 3 NVLink "
                + "cliques),", "    10 fpga (16 regions, 12 programmed)");
    }

    @Test
    void theReplicasLineNamesTheLeaderTheStandbysTheDownAndCountsFailOvers() {
        List<String> names = List.of("replica-0", "replica-1", "replica-2");
        assertThat(DemoBoard.replicas(names, List.of(new Leadership("replica-1", "LEADER", 3),
                Leadership.follower("replica-2")), 3, 1)).isEqualTo("leader replica-1 (epoch 3), standby replica-2, "
                + "down replica-0 | fail-overs 2 (1 planned by --kill-leader-every)");
        assertThat(DemoBoard.replicas(names.subList(0, 2), List.of(Leadership.follower("replica-0"),
                Leadership.follower("replica-1")), 0, 0)).startsWith("nobody leads")
                .endsWith("| fail-overs 0 (0 planned by --kill-leader-every)");
        assertThat(DemoBoard.failovers(1)).isZero();
        assertThat(DemoBoard.failovers(0)).isZero();
    }

    private static ReadView terms(LeaderTerm... newestFirst) {
        return new ReadView(0, 0, null, null, List.of(), List.of(), null, null, List.of(newestFirst), Map.of());
    }

    @Test
    void aTakeOverAfterAKillIsPlannedAnyOtherIsNot() {
        DemoBoard board = new DemoBoard();
        long ready = 1_000_000;
        LeaderTerm first = new LeaderTerm(1, "replica-0", ready + 400);
        assertThat(board.termLines(terms(first), ready, name -> "")).containsExactly("[00:00] replica-0 leads (epoch 1)");
        // told once
        assertThat(board.termLines(terms(first), ready, name -> "")).isEmpty();
        // a fail-over before any kill: nobody planned it, and the leader before says why it stepped down
        LeaderTerm second = new LeaderTerm(2, "replica-1", ready + 3_000);
        List<String> lines = board.termLines(terms(second, first), ready, name -> name.equals("replica-0")
                ? "stepped down: the lease was lost" : "");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(DemoBoard.WIDTH));
        assertThat(String.join(" ", lines).replaceAll(" +", " ")).isEqualTo("[00:03] replica-1 leads (epoch 2): a "
                + "fail-over nobody planned (replica-0 stepped down: the lease was lost)");
        assertThat(board.plannedFailovers()).isZero();
        // the demo kills replica-1 at 12.0 s; replica-0 leads at 14.2 s
        board.killed(12_000, "replica-1");
        assertThat(board.termLines(terms(second, first), ready, name -> "")).isEmpty();
        LeaderTerm third = new LeaderTerm(3, "replica-0", ready + 14_200);
        assertThat(board.termLines(terms(third, second, first), ready, name -> "")).containsExactly(
                "[00:14] replica-0 leads (epoch 3), 2.2 s after replica-1 was killed");
        assertThat(board.plannedFailovers()).isEqualTo(1);
        assertThat(DemoBoard.failoverCount(3, board.plannedFailovers()))
                .isEqualTo("fail-overs 2 (1 planned by --kill-leader-every)");
    }
}
