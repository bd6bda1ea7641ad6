package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.medcnn.nn.Segmentation;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

class SegmentTumorsToolTest {

	/**
	 * 24×20×5 CT at 0.5×0.5×2 mm, −1000 HU background; lesion A (4×4 pixels × 3 slices, 60 HU, probability 0.9)
	 * on slices 1–3; lesion B (2×2 × 1 slice, 100 HU, probability 0.7) on slice 4. A is larger, so it is lesion 1.
	 */
	private static final Geometry G = Geometry.axial(24, 20, 5, 0.5, 0.5, 2);

	private static Volume image(byte[] labels, float[] probability) {
		float[] v = new float[G.voxelCount()];
		java.util.Arrays.fill(v, -1000);
		for (int z = 1; z <= 3; z++)
			for (int y = 3; y < 7; y++)
				for (int x = 5; x < 9; x++) {
					v[G.index(x, y, z)] = 60;
					labels[G.index(x, y, z)] = 1;
					probability[G.index(x, y, z)] = 0.9f;
				}
		for (int y = 12; y < 14; y++)
			for (int x = 18; x < 20; x++) {
				v[G.index(x, y, 4)] = 100;
				labels[G.index(x, y, 4)] = 1;
				probability[G.index(x, y, 4)] = 0.7f;
			}
		return new Volume(G, v, "CT");
	}

	@Test
	void lesionsOutlinesAndRowsAgree() {
		byte[] labels = new byte[G.voxelCount()];
		float[] p = new float[G.voxelCount()];
		Volume v = image(labels, p);
		SegmentTumorsTool.Outcome o = SegmentTumorsTool.measure(v, new Segmentation(new Mask(G, labels), p));
		assertEquals(2, o.lesions().size());
		for (Lesion l : o.lesions()) {
			long n = java.util.Arrays.stream(o.components()).filter(k -> k == l.id()).count();
			assertEquals(l.voxelCount(), n, "component map and measurements number lesion " + l.id() + " alike");
		}
		Lesion a = o.lesions().get(0);
		assertEquals(48, a.voxelCount());
		assertEquals(48 * 0.5 * 0.5 * 2 / 1000, a.volumeMl(), 1e-12);
		assertEquals(60, a.meanHu(), 1e-6);
		assertEquals(0.9, a.meanProbability(), 1e-6);

		ImagePlus imp = IjVolumes.toImagePlus(v, "ct");
		List<Roi> outlines = SegmentTumorsTool.annotate(imp, o);
		assertEquals(4, outlines.size(), "lesion 1 on three slices, lesion 2 on one");
		assertEquals(List.of("2:Lesion 1", "3:Lesion 1", "4:Lesion 1", "5:Lesion 2"),
			outlines.stream().map(r -> r.getPosition() + ":" + r.getName()).sorted().toList());

		ResultsTable rt = new ResultsTable();
		SegmentTumorsTool.addRows(rt, "ct", o.lesions());
		assertEquals(2, rt.size());
		assertEquals(1, rt.getValue("lesion", 0), 0);
		assertEquals(2, rt.getValue("first slice", 0), 0);
		assertEquals(4, rt.getValue("last slice", 0), 0);
		assertEquals(5, rt.getValue("first slice", 1), 0);
		assertEquals(0.024, rt.getValue("volume (mL)", 0), 1e-9); // 48 voxels × 0.5 mm³
		assertEquals(100, rt.getValue("mean HU", 1), 1e-6);
		assertEquals(0.7, rt.getValue("mean probability", 1), 1e-6);
		assertEquals("ct", rt.getStringValue("image", 0));
	}

	@Test
	void annotatingAgainReplacesTheSegmentationButKeepsOtherRois() {
		byte[] labels = new byte[G.voxelCount()];
		float[] p = new float[G.voxelCount()];
		Volume v = image(labels, p);
		SegmentTumorsTool.Outcome o = SegmentTumorsTool.measure(v, new Segmentation(new Mask(G, labels), p));
		ImagePlus imp = IjVolumes.toImagePlus(v, "ct");
		Overlay mine = new Overlay(new TextRoi(1, 1, "note"));
		imp.setOverlay(mine);
		SegmentTumorsTool.annotate(imp, o);
		int first = imp.getOverlay().size();
		SegmentTumorsTool.annotate(imp, o);
		assertEquals(first, imp.getOverlay().size());
		assertEquals(1 + 4 + 4, first, "the note, 4 slice fills and 4 outlines");
		assertTrue(imp.getOverlay().toArray()[0] instanceof TextRoi);
		long fills = java.util.Arrays.stream(imp.getOverlay().toArray()).filter(r -> r instanceof ImageRoi).count();
		assertEquals(4, fills);
	}

	@Test
	void emptySegmentationGivesNoLesions() {
		Volume v = new Volume(G, new float[G.voxelCount()], "CT");
		SegmentTumorsTool.Outcome o = SegmentTumorsTool.measure(v,
			new Segmentation(Mask.empty(G), new float[G.voxelCount()]));
		assertTrue(o.lesions().isEmpty());
		ImagePlus imp = IjVolumes.toImagePlus(v, "ct");
		assertTrue(SegmentTumorsTool.annotate(imp, o).isEmpty());
		assertEquals(0, imp.getOverlay().size());
	}
}
