package org.soardeferred.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A package's pieces and the record of those stored, as the job store keeps it. */
class PiecesTest {

    @Test
    void theLastPieceIsShorterAndRangesAreInclusive() {
        Pieces p = new Pieces(10, 4);

        assertThat(p.count()).isEqualTo(3);
        assertThat(p.start(2)).isEqualTo(8);
        assertThat(p.end(2)).isEqualTo(9);
        assertThat(p.length(2)).isEqualTo(2);
        assertThat(p.end(0)).isEqualTo(3);
    }

    @Test
    void storedPiecesSurviveTheirRecordAndTheVerifiablePrefixIsContiguous() {
        Pieces p = new Pieces(100, 10);
        p.stored(0);
        p.stored(1);
        p.stored(2);
        p.stored(5);
        p.stored(9);

        Pieces back = Pieces.parse(p.format());

        assertThat(p.format()).isEqualTo("100/10/0-2,5,9");
        assertThat(back.storedPrefix()).isEqualTo(3);
        assertThat(back.nextMissing(0)).isEqualTo(3);
        assertThat(back.nextMissing(4)).isEqualTo(4);
        assertThat(back.nextMissing(6)).isEqualTo(6);
        assertThat(back.storedBytes()).isEqualTo(50);
        assertThat(back.storedEnd()).isEqualTo(100);
        assertThat(back.complete()).isFalse();
    }

    @Test
    void aRecordThatDoesNotFitIsNotTrusted() {
        assertThat(Pieces.parse("100/10/0-10")).as("piece 10 does not exist").isNull();
        assertThat(Pieces.parse("100/10/3-1")).isNull();
        assertThat(Pieces.parse("garbage")).isNull();
        assertThat(Pieces.parse("100/0/")).isNull();
        assertThat(Pieces.parse("100/10/")).satisfies(p -> assertThat(p.storedBytes()).isZero());
    }

    @Test
    void aCompleteSetHasNoMissingPiece() {
        Pieces p = Pieces.parse("25/10/0-2");

        assertThat(p.complete()).isTrue();
        assertThat(p.nextMissing(0)).isEqualTo(-1);
        assertThat(p.storedBytes()).isEqualTo(25);
    }
}
