package io.fairway.ui.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenFileTest {
    @Test
    void linesGiveTokensWithTheirUserAndRole() {
        Map<String, Principal> t = TokenFile.parse("""
                # console tokens
                0123456789abcdef01,alice,admin

                fedcba9876543210fe , victor , Viewer
                """, "tokens.csv");
        assertThat(t).containsOnly(Map.entry("0123456789abcdef01", new Principal("alice", Role.ADMIN)),
                Map.entry("fedcba9876543210fe", new Principal("victor", Role.VIEWER)));
    }

    @Test
    void everyBadLineIsNamedWithWhatToDo() {
        assertThatThrownBy(() -> TokenFile.parse("""
                short,alice,admin
                0123456789abcdef01,bob,owner
                0123456789abcdef01,carol
                0123456789abcdef02,dave,viewer
                0123456789abcdef02,erin,admin
                """, "secret fairway/console"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret fairway/console line 1: the token of user alice is 5 characters")
                .hasMessageContaining("line 2: role of user bob is 'owner', want viewer or admin")
                .hasMessageContaining("line 3: want TOKEN,USER,ROLE, found 2 field(s)")
                .hasMessageContaining("line 5: the token of user erin is already given to dave");
    }
}
