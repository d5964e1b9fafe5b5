package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The default registry: kube-scheduler's order, so that each node counts under the reason users expect. */
class NodeFiltersTest {
    @Test
    void defaultOrder() {
        assertThat(NodeFilters.DEFAULT.perGroup().stream().map(NodeFilter::name))
                .containsExactly("NodeUnschedulable", "TaintToleration", "NodeAffinity");
        assertThat(NodeFilters.DEFAULT.perNode().name()).isEqualTo("NodeResourcesFit");
        assertThat(NodeFilters.DEFAULT.preferences().stream().map(NodePreference::name)).containsExactly("FpgaProgrammed");
    }
}
