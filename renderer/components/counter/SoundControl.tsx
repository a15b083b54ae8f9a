import { useTranslation } from 'react-i18next';
import { VOLUMES, isVolume } from '../../sound/cues.js';
import type { Volume } from '../../sound/cues.js';
import { useCounter } from '../../store/counterContext.js';

const LABEL: Record<Volume, string> = { 0: 'counter.sound.off', 0.25: 'counter.sound.low', 0.5: 'counter.sound.medium', 1: 'counter.sound.high' };

/** The flag cues' volume, this screen only (no manager needed). */
export function SoundControl() {
  const { t } = useTranslation();
  const volume = useCounter((s) => s.volume);
  const setVolume = useCounter((s) => s.setVolume);
  const lastCue = useCounter((s) => s.lastCue);
  return (
    <label className="sound-control">
      <span className="sound-control__label">{t('counter.sound.label')}</span>
      <select
        className="input"
        data-testid="sound-volume"
        data-last-cue={lastCue.join(' ')}
        value={String(volume)}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (isVolume(v)) setVolume(v);
        }}
      >
        {VOLUMES.map((v) => (
          <option key={v} value={String(v)}>
            {t(LABEL[v])}
          </option>
        ))}
      </select>
    </label>
  );
}
