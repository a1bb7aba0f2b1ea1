import { z } from 'zod';
import { field } from '../../config/describeField';
import { restoreSetuidBitsSchema } from '../directory/setuidBits';

/** Docker's rule for volume names. */
export const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function volumeSettingsSchema() {
  return z
    .object({
      volume: z
        .string(field('the Docker volume to back up (docker volume ls)'))
        .regex(
          VOLUME_NAME,
          'must be a Docker volume name (letters, digits, "_", ".", "-"), not a path; back up host folders with the directory engine',
        ),
      restoreSetuidBits: restoreSetuidBitsSchema(),
    })
    .strict();
}

export type VolumeSettings = z.infer<ReturnType<typeof volumeSettingsSchema>>;
