// The host's app in the new frontend system, as create-app writes it, with the Safekeep plugin
// added to its features (entity content, entity cards, the /backups page, the API).
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import backupsPlugin from '@safekeep/plugin-backups/alpha';

export default createApp({
  features: [catalogPlugin, backupsPlugin],
});
