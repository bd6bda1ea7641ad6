package org.medcnn.ij;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.medcnn.volume.Mask;

/**
 * Called from a test macro ({@code call("org.medcnn.ij.LiveCorrectionProbe.snapshot", "name")}) to record, on the
 * macro's own thread, what the current image shows and keeps right after an edit: its lesion outlines, the pixels its
 * fills cover, its corrected mask, and the mask that the ROI Manager's ROIs and the mask image stand for. Public because
 * the macro function {@code call} reaches only public classes.
 */
public final class LiveCorrectionProbe {

	/** What one snapshot saw. */
	record Snapshot(List<Roi> outlines, long fillPixels, Mask corrected, Mask fromManager, int managerCount,
		byte[] maskImage) {}

	static final Map<String, Snapshot> SNAPSHOTS = new LinkedHashMap<>();

	private LiveCorrectionProbe() {}

	/** Records a snapshot of the current image under {@code name}; returns the number of outlines. */
	public static String snapshot(String name) {
		LiveCorrection.settle();
		ImagePlus imp = WindowManager.getCurrentImage();
		List<Roi> outlines = new ArrayList<>();
		long fill = 0;
		for (Roi r : imp.getOverlay().toArray()) {
			if (!SegmentTumorsTool.isSegmentationRoi(r)) continue;
			if (r instanceof ImageRoi ir) {
				int[] argb = (int[]) ir.getProcessor().getPixels();
				for (int v : argb) if ((v & 0xFFFFFF) != 0) fill++;
			} else outlines.add((Roi) r.clone());
		}
		RoiManager rm = RoiManager.getInstance();
		Roi[] rois = rm == null ? new Roi[0] : rm.getRoisAsArray();
		Mask fromManager = rois.length == 0 ? null : ImageTrainingData.fromRois(imp, rois);
		ImagePlus labels = WindowManager.getImage(imp.getTitle() + "-mask");
		byte[] maskImage = labels == null ? null : IjVolumes.toMask(labels).labels();
		SNAPSHOTS.put(name, new Snapshot(outlines, fill, LiveCorrection.corrected(imp), fromManager, rois.length, maskImage));
		return String.valueOf(outlines.size());
	}
}
